"""What reached the broker: CloudEvents on a topic, counted by event id, read
straight from Kafka (or Redis Streams), so a duplicate publication shows even
where subscribers would drop it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from devmesh import dlq


def data_of(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError:
            return {}
    return data if isinstance(data, dict) else {}


def published(
    profile: str, topic: str, about: Callable[[dict[str, Any]], bool]
) -> Counter[str]:
    """Event id -> copies on `topic`, for the events whose data `about` picks."""
    found: Counter[str] = Counter()
    for raw in dlq.records(profile, [topic]):
        try:
            event = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(event, dict) and about(data_of(event)):
            found[str(event.get("id"))] += 1
    return found


def orders_published(profile: str, topic: str, order_ids: set[str]) -> Counter[str]:
    """order-created (or -status-changed) events of these orders, by event id."""
    return published(profile, topic, lambda data: data.get("orderId") in order_ids)
