"""In-memory stand-ins for the gateway's infrastructure ports: a counting
loader, the Dapr state store and the order-status fan-out."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from gateway.cache import StateStoreError
from gateway.fanout import OrderStatusFanout


class CountingLoader:
    """A loader that counts its calls (and can be made to fail)."""

    def __init__(self, value: str = "v", delay: float = 0.05) -> None:
        self.calls = 0
        self.value = value
        self.delay = delay
        self.fail: Exception | None = None

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return self.value


class FakeStateStore:
    """A Dapr `state.redis` store: TTLs on a hand-driven clock, first-write
    inserts, and Redis's rule that a key inserted first-write refuses later
    writes without an ETag while it lives."""

    def __init__(self) -> None:
        self.now = 0.0
        self.data: dict[str, tuple[str, float | None]] = {}
        self.first_written: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.down = False

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.down:
            raise StateStoreError("sidecar unreachable")

    def _live(self, key: str) -> str | None:
        entry = self.data.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= self.now:
            self._drop(key)
            return None
        return value

    def _drop(self, key: str) -> None:
        self.data.pop(key, None)
        self.first_written.discard(key)

    async def get(self, key: str) -> str | None:
        self._check("get")
        return self._live(key)

    async def get_many(self, keys: list[str]) -> dict[str, str | None]:
        self._check("get_many")
        return {key: self._live(key) for key in keys}

    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None:
        self._check("save")
        if self._live(key) is not None and key in self.first_written:
            raise StateStoreError(f"SAVE {key}: failed to set key gateway||{key}")
        self.data[key] = (value, self.now + ttl_seconds if ttl_seconds else None)

    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        self._check("insert")
        if self._live(key) is not None:
            return False
        self.data[key] = (value, self.now + ttl_seconds if ttl_seconds else None)
        self.first_written.add(key)
        return True

    async def delete(self, key: str) -> None:
        self._check("delete")
        self._drop(key)

    def expire_all(self) -> None:
        for key in [k for k, v in self.data.items() if v[1] is not None]:
            self._drop(key)


class LocalFanout(OrderStatusFanout):
    """The fan-out with Redis replaced by an in-memory bus shared by "processes"."""

    def __init__(self, bus: list[LocalFanout] | None = None) -> None:
        super().__init__(redis=None, channel="test")  # type: ignore[arg-type]
        self.bus = bus if bus is not None else []
        self.bus.append(self)

    @property
    def listening(self) -> bool:
        return True

    async def publish(self, event: Any) -> None:
        for fanout in self.bus:
            fanout.dispatch(event.to_json())

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
