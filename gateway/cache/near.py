"""The near cache: decoded catalog entries kept in the gateway process itself.

It sits in front of the shared cache in Redis, so a hot read costs no round
trip at all. Kept coherent by invalidation, not by time:

- Every invalidation (from `product-updated` / `stock-changed`) reaches every
  gateway process over a Redis pub/sub channel (`invalidation_listener` in
  `gateway.cache.catalog`), and each drops the product's entry and every page.
- An entry is stored only if no invalidation happened while it was being read
  (the `epoch` a reader started in must still be current), so a read racing an
  update cannot put the old value back.
- The near cache is used only while the invalidation channel is subscribed; it
  is emptied whenever the subscription is (re)made, since messages published
  meanwhile were missed. The TTL is a backstop, not the coherence mechanism.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

PRODUCT_PREFIX = "product:"
PAGE_PREFIX = "products:"


class NearCache:
    def __init__(
        self,
        ttl_seconds: float = 5.0,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._connected = False
        self.epoch = 0

    @property
    def enabled(self) -> bool:
        return self._connected and self._ttl > 0

    def get(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: Any, epoch: int) -> None:
        """Keep `value` unless an invalidation happened since `epoch` was read."""
        if not self.enabled or epoch != self.epoch:
            return
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget_product(self, product_id: str) -> None:
        """Drop the product and every page (any page may list it)."""
        self.epoch += 1
        self._entries.pop(PRODUCT_PREFIX + product_id, None)
        for key in [k for k in self._entries if k.startswith(PAGE_PREFIX)]:
            del self._entries[key]

    def connected(self) -> None:
        """The invalidation channel is subscribed: start afresh."""
        self.clear()
        self._connected = True

    def disconnected(self) -> None:
        """Invalidations may be missed from now on: stop using the near cache."""
        self._connected = False
        self.clear()

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
