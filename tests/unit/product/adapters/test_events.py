"""Cache-invalidation hints: published as protobuf JSON, never failing the call."""

from __future__ import annotations

import json

from common import topics
from services.product.adapters.events import DaprProductEvents


class FakePublisher:
    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.published: list[tuple[str, dict[str, object], str]] = []

    def publish(self, topic: str, payload: str, event_id: str) -> None:
        if self.down:
            raise ConnectionError("sidecar unreachable")
        self.published.append((topic, json.loads(payload), event_id))


def test_updates_and_stock_changes_go_to_their_topics() -> None:
    publisher = FakePublisher()
    product_events = DaprProductEvents(publisher)
    product_events.product_updated("p-1")
    product_events.stock_changed("p-1", 4)
    assert [(t, p) for t, p, _ in publisher.published] == [
        (topics.PRODUCT_UPDATED, {"productId": "p-1"}),
        (topics.STOCK_CHANGED, {"productId": "p-1", "stock": "4"}),
    ]
    ids = {event_id for _, _, event_id in publisher.published}
    assert len(ids) == 2


def test_a_lost_hint_does_not_fail_the_use_case() -> None:
    product_events = DaprProductEvents(FakePublisher(down=True))
    product_events.product_updated("p-1")  # logged, not raised
