"""Cache-invalidation events through the sidecar (the `ProductEvents` port)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from common import events, topics
from common.outbox import Publisher
from protos.events.v1 import events_pb2

log = logging.getLogger(__name__)


class DaprProductEvents:
    """Cache-invalidation hints, published straight through the sidecar.

    They are hints, not records: a lost one only keeps a cache entry until its
    TTL, so they are not routed through an outbox.
    """

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def _send(self, topic: str, message: Any) -> None:
        try:
            self._publisher.publish(topic, events.encode(message), str(uuid.uuid4()))
        except Exception as err:
            log.warning("could not publish %s: %s", topic, err)

    def product_updated(self, product_id: str) -> None:
        self._send(
            topics.PRODUCT_UPDATED, events_pb2.ProductUpdated(product_id=product_id)
        )

    def stock_changed(self, product_id: str, stock: int) -> None:
        self._send(
            topics.STOCK_CHANGED,
            events_pb2.StockChanged(product_id=product_id, stock=stock),
        )
