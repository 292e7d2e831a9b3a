from common import topics
from protos import event_topics


def test_every_topic_has_exactly_one_payload_message() -> None:
    payloads = event_topics.payload_topics()

    assert event_topics.problems(topics.ALL, payloads) == []
    assert payloads["OrderCreated"] == topics.ORDER_CREATED
    # Parts of payloads carry no topic.
    assert "Contact" not in payloads


def test_a_missing_doubled_or_unknown_topic_is_reported() -> None:
    payloads = {
        "OrderCreated": "order-created",
        "OrderPlaced": "order-created",
        "Refunded": "order-refunded",
    }

    assert event_topics.problems(["order-created", "user-created"], payloads) == [
        "topic 'order-created' has several payloads: ['OrderCreated', 'OrderPlaced']",
        "topic 'user-created' has no payload message",
        "Refunded names unknown topic 'order-refunded'",
    ]
