"""A read-through cache on a Dapr state store, without stampedes.

- Within a process one fill runs per key (the others await it); across
  processes the filler first inserts `lock:{key}` (first-write, short TTL) and
  the others poll for the value.
- A versioned entry (`version_key=`) is valid only while the version key holds
  the version it was filled under: bumping that one key orphans every entry
  filled before (they expire by TTL). The entry and the version are read in
  one round trip.
- The cache is an optimisation: if the sidecar or Redis fails, reads go
  straight to the loader (logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from gateway.cache.store import StateStore, StateStoreError

log = logging.getLogger(__name__)

Loader = Callable[[], Awaitable[str]]


def new_version() -> str:
    return secrets.token_hex(8)


class ReadThroughCache:
    """Values (text) by key, filled by the caller's loader on a miss."""

    def __init__(
        self,
        store: StateStore,
        ttl_seconds: int = 60,
        lock_seconds: int = 5,
        poll_interval: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl_seconds
        self._lock_ttl = lock_seconds
        self._poll = poll_interval
        self._clock = clock
        self._owner = secrets.token_hex(8)
        self._fills: dict[str, asyncio.Task[str]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.hits = 0
        self.misses = 0

    @property
    def store(self) -> StateStore:
        return self._store

    @property
    def lock_seconds(self) -> int:
        return self._lock_ttl

    async def get_or_load(
        self, key: str, load: Loader, version_key: str | None = None
    ) -> str:
        """The cached value, or the loader's (then cached). Loader errors propagate
        to every caller waiting on this key and are not cached."""
        fill = self._fills.get(key)
        if fill is None:
            fill = asyncio.create_task(
                self._fill(key, load, version_key), name=f"cache-fill {key}"
            )
            self._fills[key] = fill
            fill.add_done_callback(functools.partial(self._forget_fill, key))
        # A caller that goes away must not cancel the fill the others await.
        return await asyncio.shield(fill)

    def _forget_fill(self, key: str, _task: object) -> None:
        self._fills.pop(key, None)

    async def _fill(self, key: str, load: Loader, version_key: str | None) -> str:
        version, cached = await self._read(key, version_key)
        if cached is not None:
            self.hits += 1
            return cached
        lock = f"lock:{key}"
        locked = await self._insert(lock)
        if not locked:
            version, cached = await self._wait_for(key, lock, version_key)
            if cached is not None:
                self.hits += 1
                return cached
        self.misses += 1
        try:
            value = await load()
            if version_key is None:
                await self._save(key, value)
            elif version is not None:
                await self._save(key, f"{version}\n{value}")
            # else: the version is unknown (store down); nothing is cached.
            return value
        finally:
            if locked:
                await self._delete(lock)

    async def _read(
        self, key: str, version_key: str | None
    ) -> tuple[str | None, str | None]:
        """(version to fill under, valid cached value). The version is None for
        unversioned keys, and when the store cannot be read (then nothing is
        cached under a version nobody knows)."""
        if version_key is None:
            return None, await self._get(key)
        try:
            found = await self._store.get_many([version_key, key])
        except StateStoreError as err:
            log.warning("cache read of %s failed, reading through: %s", key, err)
            return None, None
        version, raw = found[version_key], found[key]
        if version is None:
            # First use. Last-write, so a later bump is never refused; two
            # processes racing here only cost each other a few misses.
            version = new_version()
            await self._save(version_key, version, ttl=False)
            return version, None
        if raw is not None:
            stamp, _, value = raw.partition("\n")
            if stamp == version:
                return version, value
        return version, None

    async def _wait_for(
        self, key: str, lock: str, version_key: str | None
    ) -> tuple[str | None, str | None]:
        """Poll while another process fills `key`; no value if it gave up or died."""
        deadline = self._clock() + self._lock_ttl
        delay = self._poll
        version: str | None = None
        while self._clock() < deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)
            version, cached = await self._read(key, version_key)
            if cached is not None:
                return version, cached
            if await self._get(lock) is None:
                return await self._read(key, version_key)
        return version, None

    async def delete(self, key: str, again_after: float | None = None) -> None:
        """Delete now (errors propagate) and, optionally, once more later."""
        await self._store.delete(key)
        if again_after is not None:
            task = asyncio.create_task(self._delete_later(key, again_after))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def bump(self, version_key: str) -> None:
        """Orphan every entry filled under `version_key` (errors propagate)."""
        await self._store.save(version_key, new_version(), None)

    async def _delete_later(self, key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._delete(key)

    async def close(self) -> None:
        for task in [*self._background, *self._fills.values()]:
            task.cancel()
        for task in [*self._background, *self._fills.values()]:
            with contextlib.suppress(BaseException):
                await task

    # The store failing never fails a read: log it and go to the loader.

    async def _get(self, key: str) -> str | None:
        try:
            return await self._store.get(key)
        except StateStoreError as err:
            log.warning("cache read of %s failed, reading through: %s", key, err)
            return None

    async def _save(self, key: str, value: str, ttl: bool = True) -> None:
        try:
            await self._store.save(key, value, self._ttl if ttl else None)
        except StateStoreError as err:
            log.warning("cache write of %s failed: %s", key, err)

    async def _insert(self, lock: str) -> bool:
        try:
            return await self._store.insert(lock, self._owner, self._lock_ttl)
        except StateStoreError as err:
            log.warning("cache lock %s failed, loading anyway: %s", lock, err)
            return True

    async def _delete(self, key: str) -> None:
        try:
            await self._store.delete(key)
        except StateStoreError as err:
            log.warning("cache delete of %s failed: %s", key, err)
