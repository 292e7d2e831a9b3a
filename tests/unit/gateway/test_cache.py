"""The product cache: read-through, no stampede (in a process and across
processes), invalidation by generation and by key, and a cache that fails open."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway import clients
from gateway.cache import (
    GENERATION_KEY,
    DaprStateStore,
    ProductCatalog,
    ReadThroughCache,
)
from tests.unit.gateway.fakes import FakeStateStore

pytestmark = pytest.mark.anyio

LAMP = clients.Product("p1", "Lamp", "", "home", clients.Money(100, "USD"), 3)


class CountingLoader:
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


async def test_a_miss_loads_once_then_hits() -> None:
    store = FakeStateStore()
    cache = ReadThroughCache(store, ttl_seconds=60)
    load = CountingLoader()

    assert await cache.get_or_load("k", load) == "v"
    assert await cache.get_or_load("k", load) == "v"

    assert load.calls == 1
    assert store.data["k"] == ("v", 60.0)


async def test_concurrent_misses_in_one_process_make_one_backend_call() -> None:
    cache = ReadThroughCache(FakeStateStore())
    load = CountingLoader()

    values = await asyncio.gather(*(cache.get_or_load("hot", load) for _ in range(50)))

    assert values == ["v"] * 50
    assert load.calls == 1


async def test_an_expired_hot_key_is_refilled_once_across_processes() -> None:
    store = FakeStateStore()  # one Redis, two gateway processes
    first = ReadThroughCache(store, lock_seconds=5, poll_interval=0.01)
    second = ReadThroughCache(store, lock_seconds=5, poll_interval=0.01)
    load = CountingLoader(delay=0.1)

    values = await asyncio.gather(
        *(cache.get_or_load("hot", load) for cache in [first, second] * 10)
    )

    assert values == ["v"] * 20
    assert load.calls == 1
    assert "lock:hot" not in store.data  # released after the fill


async def test_a_waiter_loads_itself_when_the_lock_holder_gives_up() -> None:
    store = FakeStateStore()
    await store.insert("lock:k", "a dead process", 5)  # nobody will fill it
    cache = ReadThroughCache(store, lock_seconds=1, poll_interval=0.01)
    load = CountingLoader()

    async def release_later() -> None:
        await asyncio.sleep(0.05)
        await store.delete("lock:k")  # the lock expires

    _, value = await asyncio.gather(release_later(), cache.get_or_load("k", load))

    assert value == "v"
    assert load.calls == 1


async def test_loader_errors_reach_every_waiter_and_are_not_cached() -> None:
    store = FakeStateStore()
    cache = ReadThroughCache(store)
    load = CountingLoader()
    load.fail = clients.Unavailable("down")

    results = await asyncio.gather(
        *(cache.get_or_load("k", load) for _ in range(3)), return_exceptions=True
    )

    assert all(isinstance(r, clients.Unavailable) for r in results)
    assert load.calls == 1
    assert "k" not in store.data and "lock:k" not in store.data
    load.fail = None
    assert await cache.get_or_load("k", load) == "v"


async def test_a_caller_going_away_does_not_cancel_the_fill_others_wait_for() -> None:
    cache = ReadThroughCache(FakeStateStore())
    load = CountingLoader(delay=0.1)

    leader = asyncio.create_task(cache.get_or_load("k", load))
    await asyncio.sleep(0.01)
    follower = asyncio.create_task(cache.get_or_load("k", load))
    await asyncio.sleep(0.01)
    leader.cancel()

    assert await follower == "v"
    assert load.calls == 1


async def test_a_broken_store_reads_through() -> None:
    store = FakeStateStore()
    store.down = True
    cache = ReadThroughCache(store)
    load = CountingLoader()

    assert await cache.get_or_load("k", load) == "v"
    assert await cache.get_or_load("k", load) == "v"
    assert load.calls == 2


async def test_product_entries_expire_with_their_ttl() -> None:
    store = FakeStateStore()
    catalog = ProductCatalog(ReadThroughCache(store, ttl_seconds=60))
    load = CountingLoader()

    async def product() -> clients.Product:
        await load()
        return LAMP

    await catalog.product("p1", product)
    store.now += 59
    await catalog.product("p1", product)
    store.now += 2
    assert await catalog.product("p1", product) == LAMP
    assert load.calls == 2


async def test_pages_are_keyed_by_query_and_dropped_by_a_new_generation() -> None:
    store = FakeStateStore()
    catalog = ProductCatalog(ReadThroughCache(store))
    loads: list[str] = []

    def loader(tag: str) -> object:
        async def load() -> clients.Page[clients.Product]:
            loads.append(tag)
            return clients.Page([LAMP], "next")

        return load

    home = clients.ProductFilter(category="home")
    await catalog.products(home, 20, "", loader("home"))
    await catalog.products(home, 20, "", loader("home"))
    await catalog.products(clients.ProductFilter(), 20, "", loader("all"))
    page = await catalog.products(home, 20, "", loader("home"))
    assert loads == ["home", "all"]
    assert page == clients.Page([LAMP], "next")

    generation = store.data[GENERATION_KEY][0]
    await catalog.invalidate("p1")

    assert store.data[GENERATION_KEY][0] != generation
    await catalog.products(home, 20, "", loader("home"))
    assert loads == ["home", "all", "home"]


async def test_invalidation_deletes_the_product_twice() -> None:
    store = FakeStateStore()
    cache = ReadThroughCache(store, lock_seconds=0)  # second delete right away
    catalog = ProductCatalog(cache)

    async def lamp() -> clients.Product:
        return LAMP

    await catalog.product("p1", lamp)
    await catalog.invalidate("p1")
    assert "product:p1" not in store.data
    # A fill that read the product before the update writes it back...
    await store.save("product:p1", "stale", 60)
    await asyncio.sleep(0.01)
    # ...and the delayed delete removes it.
    assert "product:p1" not in store.data
    assert store.calls["delete"] >= 2


async def test_ids_that_are_not_plain_are_never_cached() -> None:
    store = FakeStateStore()
    catalog = ProductCatalog(ReadThroughCache(store))

    async def lamp() -> clients.Product:
        return LAMP

    await catalog.product("../../etc/passwd", lamp)

    assert store.calls["save"] == 0


async def test_invalidation_fails_loudly_so_the_event_is_retried() -> None:
    store = FakeStateStore()
    store.down = True
    catalog = ProductCatalog(ReadThroughCache(store))

    with pytest.raises(Exception, match="sidecar unreachable"):
        await catalog.invalidate("p1")


# --- the Dapr state API adapter -------------------------------------------------


class FakeSidecar:
    """The sidecar's /v1.0/state/cache API over httpx.MockTransport."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        import json

        self.requests.append(request)
        if request.headers.get("dapr-api-token") != "tok":
            return httpx.Response(401, text="invalid api token")
        path = request.url.path.removeprefix("/v1.0/state/cache")
        if request.method == "GET":
            key = path.lstrip("/")
            if key not in self.values:
                return httpx.Response(204)
            return httpx.Response(200, json=self.values[key])
        if request.method == "DELETE":
            self.values.pop(path.lstrip("/"), None)
            return httpx.Response(204)
        for item in json.loads(request.content):
            first_write = item.get("options", {}).get("concurrency") == "first-write"
            if first_write and item["key"] in self.values:
                return httpx.Response(
                    500,
                    json={
                        "errorCode": "ERR_STATE_SAVE",
                        "message": f"failed to set key cache||{item['key']}",
                    },
                )
            self.values[item["key"]] = item["value"]
        return httpx.Response(204)


async def test_the_dapr_store_speaks_the_state_api() -> None:
    sidecar = FakeSidecar()
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(sidecar.handler)
    ) as http:
        store = DaprStateStore(http, "http://127.0.0.1:3500", "cache", "tok")

        assert await store.get("k") is None
        await store.save("k", '{"a": 1}', 60)
        assert await store.get("k") == '{"a": 1}'
        assert await store.insert("lock:k", "me", 5) is True
        assert await store.insert("lock:k", "you", 5) is False
        await store.delete("lock:k")
        assert await store.get("lock:k") is None

    save = sidecar.requests[1]
    assert save.url.path == "/v1.0/state/cache"
    import json

    assert json.loads(save.content) == [
        {"key": "k", "value": '{"a": 1}', "metadata": {"ttlInSeconds": "60"}}
    ]
    assert sidecar.requests[3].url.path == "/v1.0/state/cache"
    assert "first-write" in sidecar.requests[3].content.decode()
    assert sidecar.requests[5].url.raw_path == b"/v1.0/state/cache/lock%3Ak"


async def test_the_dapr_store_reports_refusals() -> None:
    sidecar = FakeSidecar()
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(sidecar.handler)
    ) as http:
        store = DaprStateStore(http, "http://127.0.0.1:3500", "cache", "wrong")

        with pytest.raises(Exception, match="401"):
            await store.get("k")
