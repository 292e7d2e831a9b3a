"""The product read cache: Redis through the Dapr state API (store `cache`).

- `product:{id}` holds one product; `products:{generation}:{hash}` one page of
  `products(...)`. The generation is a random token in `products:gen`; bumping
  it (on `product-updated` / `stock-changed`) orphans every cached page at once,
  and the orphans expire by TTL.
- Only catalog data is cached, never anything that depends on who asks.
- No stampede when a hot key expires: within a process one fill runs per key
  (the others await it); across processes the filler first inserts
  `lock:{key}` (first-write, short TTL) and the others poll for the value.
- The cache is an optimisation: if the sidecar or Redis fails, reads go
  straight to the service (logged), and invalidation failures are retried by
  the event delivery.
- An invalidation deletes `product:{id}` twice, the second time after the lock
  TTL, so a fill that read the old product before the update cannot leave it
  behind for a whole TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from gateway.clients import Money, Page, Product, ProductFilter

log = logging.getLogger(__name__)

GENERATION_KEY = "products:gen"
_CACHEABLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StateStoreError(Exception):
    """The state store could not be reached or refused the call."""


class StateStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None: ...
    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        """Save only if absent (first-write); False when the key exists."""
        ...

    async def delete(self, key: str) -> None: ...


class DaprStateStore:
    """A Dapr state store over the sidecar's HTTP API (values are JSON strings)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        sidecar_url: str,
        store: str,
        api_token: str | None,
        timeout: float = 2.0,
    ) -> None:
        self._http = http
        self._url = f"{sidecar_url}/v1.0/state/{store}"
        self._headers = {"dapr-api-token": api_token} if api_token else {}
        self._timeout = httpx.Timeout(timeout)

    def _key_url(self, key: str) -> str:
        return f"{self._url}/{quote(key, safe='')}"

    async def get(self, key: str) -> str | None:
        response = await self._request("GET", self._key_url(key))
        if response.status_code == 204 or not response.content:
            return None
        if response.status_code != 200:
            raise StateStoreError(f"GET {key}: {response.status_code} {response.text}")
        value = response.json()
        if not isinstance(value, str):
            raise StateStoreError(f"GET {key}: not a string value")
        return value

    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None:
        item: dict[str, Any] = {"key": key, "value": value}
        if ttl_seconds:
            item["metadata"] = {"ttlInSeconds": str(ttl_seconds)}
        response = await self._request("POST", self._url, json=[item])
        if response.status_code not in (200, 201, 204):
            raise StateStoreError(f"SAVE {key}: {response.status_code} {response.text}")

    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        item: dict[str, Any] = {
            "key": key,
            "value": value,
            "options": {"concurrency": "first-write"},
        }
        if ttl_seconds:
            item["metadata"] = {"ttlInSeconds": str(ttl_seconds)}
        response = await self._request("POST", self._url, json=[item])
        if response.status_code in (200, 201, 204):
            return True
        # The key exists: Dapr answers 409 (etag mismatch); the Redis store
        # reports it as a failed set in some versions.
        if response.status_code == 409 or "failed to set key" in response.text:
            return False
        raise StateStoreError(f"INSERT {key}: {response.status_code} {response.text}")

    async def delete(self, key: str) -> None:
        response = await self._request("DELETE", self._key_url(key))
        if response.status_code not in (200, 204):
            raise StateStoreError(
                f"DELETE {key}: {response.status_code} {response.text}"
            )

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(
                method, url, headers=self._headers, timeout=self._timeout, **kwargs
            )
        except httpx.HTTPError as err:
            raise StateStoreError(f"{method} {url}: {err!r}") from err


class ReadThroughCache:
    """Values (JSON text) by key, filled by the caller's loader on a miss."""

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

    async def get_or_load(self, key: str, load: Callable[[], Awaitable[str]]) -> str:
        """The cached value, or the loader's (then cached). Loader errors propagate
        to every caller waiting on this key and are not cached."""
        fill = self._fills.get(key)
        if fill is None:
            fill = asyncio.create_task(self._fill(key, load), name=f"cache-fill {key}")
            self._fills[key] = fill
            fill.add_done_callback(functools.partial(self._forget_fill, key))
        # A caller that goes away must not cancel the fill the others await.
        return await asyncio.shield(fill)

    def _forget_fill(self, key: str, _task: object) -> None:
        self._fills.pop(key, None)

    async def _fill(self, key: str, load: Callable[[], Awaitable[str]]) -> str:
        cached = await self._get(key)
        if cached is not None:
            self.hits += 1
            return cached
        lock = f"lock:{key}"
        locked = await self._insert(lock)
        if not locked:
            cached = await self._wait_for(key, lock)
            if cached is not None:
                self.hits += 1
                return cached
        self.misses += 1
        try:
            value = await load()
            await self._save(key, value)
            return value
        finally:
            if locked:
                await self._delete(lock)

    async def _wait_for(self, key: str, lock: str) -> str | None:
        """Poll while another process fills `key`; None if it gave up or died."""
        deadline = self._clock() + self._lock_ttl
        delay = self._poll
        while self._clock() < deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)
            cached = await self._get(key)
            if cached is not None:
                return cached
            if await self._get(lock) is None:
                return await self._get(key)
        return None

    async def delete(self, key: str, again_after: float | None = None) -> None:
        """Delete now (errors propagate) and, optionally, once more later."""
        await self._store.delete(key)
        if again_after is not None:
            task = asyncio.create_task(self._delete_later(key, again_after))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _delete_later(self, key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._delete(key)

    async def close(self) -> None:
        for task in [*self._background, *self._fills.values()]:
            task.cancel()
        for task in [*self._background, *self._fills.values()]:
            with contextlib.suppress(BaseException):
                await task

    # The store failing never fails a read: log it and go to the service.

    async def _get(self, key: str) -> str | None:
        try:
            return await self._store.get(key)
        except StateStoreError as err:
            log.warning("cache read of %s failed, reading through: %s", key, err)
            return None

    async def _save(self, key: str, value: str) -> None:
        try:
            await self._store.save(key, value, self._ttl)
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


# --- the catalog on top of it -----------------------------------------------------


def product_to_json(product: Product) -> dict[str, Any]:
    return asdict(product)


def product_from_json(data: dict[str, Any]) -> Product:
    return Product(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        category=data["category"],
        price=Money(**data["price"]),
        stock=data["stock"],
    )


class ProductCatalog:
    """Cached product reads; `invalidate` is what the product events call."""

    def __init__(self, cache: ReadThroughCache) -> None:
        self._cache = cache

    async def product(
        self, product_id: str, load: Callable[[], Awaitable[Product]]
    ) -> Product:
        if not _CACHEABLE_ID.match(product_id):
            return await load()

        async def fill() -> str:
            return json.dumps(product_to_json(await load()))

        raw = await self._cache.get_or_load(f"product:{product_id}", fill)
        return product_from_json(json.loads(raw))

    async def products(
        self,
        flt: ProductFilter,
        page_size: int,
        page_token: str,
        load: Callable[[], Awaitable[Page[Product]]],
    ) -> Page[Product]:
        generation = await self._generation()
        if generation is None:
            return await load()
        query = json.dumps([asdict(flt), page_size, page_token], sort_keys=True)
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]

        async def fill() -> str:
            page = await load()
            return json.dumps(
                {
                    "items": [product_to_json(p) for p in page.items],
                    "next": page.next_token,
                }
            )

        raw = await self._cache.get_or_load(f"products:{generation}:{digest}", fill)
        data = json.loads(raw)
        return Page([product_from_json(p) for p in data["items"]], data["next"])

    async def invalidate(self, product_id: str) -> None:
        """Forget the product and every cached page. Raises StateStoreError (so
        the event that asked for it is redelivered)."""
        store = self._cache.store
        await store.save(GENERATION_KEY, secrets.token_hex(8), None)
        if _CACHEABLE_ID.match(product_id):
            await self._cache.delete(
                f"product:{product_id}", again_after=self._cache.lock_seconds
            )

    async def _generation(self) -> str | None:
        """The current page generation, created on first use; None if the store
        cannot be reached (then pages are not cached)."""
        store = self._cache.store
        try:
            current = await store.get(GENERATION_KEY)
            if current is not None:
                return current
            # No TTL: it must outlive every page cached under it.
            await store.insert(GENERATION_KEY, secrets.token_hex(8), None)
            return await store.get(GENERATION_KEY)
        except StateStoreError as err:
            log.warning("cache generation unreadable, not caching pages: %s", err)
            return None
