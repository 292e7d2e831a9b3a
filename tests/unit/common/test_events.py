"""What a publish tells Dapr besides the payload."""

from common.events import publish_metadata


def test_a_partition_key_goes_with_the_event_when_there_is_one() -> None:
    assert publish_metadata("e-1", partition_key="order-7") == {
        "cloudevent.id": "e-1",
        "partitionKey": "order-7",
    }
    assert publish_metadata("e-1") == {"cloudevent.id": "e-1"}
