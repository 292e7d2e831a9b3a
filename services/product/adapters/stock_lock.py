"""The per-product stock lock (the `StockLock` port) on Dapr's distributed
lock API, over the `lock` component (lock.redis).

A holder retries `TryLock` until it gets the lock or its wait is over (then
Unavailable: the caller sees UNAVAILABLE and may retry). The lock has a lease:
should a holder die, Redis lets it go after `lease_seconds`, so the lease must
outlast the longest critical section (a few MongoDB round trips).

Threads of one process first queue on an in-process lock per product, so only
one of them at a time polls the sidecar for that product. Without it, every
waiting request polled Redis through daprd on its own: under one-product
contention (16 orders at a time) those polls competed with the holder for
the two cores, and on a slow day waits ran past `wait_seconds` (UNAVAILABLE
"stock lock" in the fault tier's F2 and F9; none in the runs since). The
wait for both locks together is `wait_seconds`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Protocol

from services.product.domain import Unavailable

log = logging.getLogger(__name__)

# The SDK warns on every call that the lock API is alpha.
warnings.filterwarnings("ignore", message="The Distributed Lock API is an Alpha")


class LockClient(Protocol):
    """The two calls of the Dapr client this adapter uses."""

    def try_lock(
        self, store_name: str, resource_id: str, lock_owner: str, expiry_in_seconds: int
    ) -> object: ...
    def unlock(self, store_name: str, resource_id: str, lock_owner: str) -> object: ...


class DaprStockLock:
    def __init__(
        self,
        client: LockClient,
        store: str,
        lease_seconds: int = 10,
        wait_seconds: float = 3.0,
    ) -> None:
        self._client = client
        self._store = store
        self._lease = lease_seconds
        self._wait = wait_seconds
        self._local: dict[str, threading.Lock] = {}
        self._local_guard = threading.Lock()

    @contextlib.contextmanager
    def hold(self, product_id: str) -> Iterator[None]:
        resource = f"stock-{product_id}"
        deadline = time.monotonic() + self._wait
        local = self._local_lock(product_id)
        if not local.acquire(timeout=self._wait):
            raise Unavailable("stock lock", f"{resource} busy in this process")
        try:
            owner = uuid.uuid4().hex  # one per holding
            self._acquire(resource, owner, deadline)
            try:
                yield
            finally:
                try:
                    self._client.unlock(self._store, resource, owner)
                except Exception as err:  # the lease frees it in the end
                    log.warning("unlock of %s failed: %s", resource, err)
        finally:
            local.release()

    def _local_lock(self, product_id: str) -> threading.Lock:
        with self._local_guard:
            return self._local.setdefault(product_id, threading.Lock())

    def _acquire(self, resource: str, owner: str, deadline: float) -> None:
        pause = 0.002
        while True:
            try:
                got = bool(
                    self._client.try_lock(self._store, resource, owner, self._lease)
                )
            except Exception as err:
                raise Unavailable("stock lock", str(err)[:200]) from err
            if got:
                return
            if time.monotonic() >= deadline:
                raise Unavailable("stock lock", f"{resource} busy")
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, 0.02)


class NoStockLock:
    """For a real MongoDB, where the conditional update alone is atomic."""

    @contextlib.contextmanager
    def hold(self, product_id: str) -> Iterator[None]:
        yield
