"""The catalog: product and page entries, invalidation by generation and by
key, and the near cache in front kept coherent across processes."""

from __future__ import annotations

import asyncio

import pytest

from gateway import clients
from gateway.cache import GENERATION_KEY, NearCache, ProductCatalog, ReadThroughCache
from tests.unit.gateway.fake_infra import CountingLoader, FakeStateStore

pytestmark = pytest.mark.anyio

LAMP = clients.Product("p1", "Lamp", "", "home", clients.Money(100, "USD"), 3)


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


def connected_catalog(
    store: FakeStateStore, catalogs: list[ProductCatalog]
) -> ProductCatalog:
    """One gateway process: its near cache, the shared store, and a broadcast
    reaching every process in `catalogs` (Redis pub/sub in production)."""

    async def broadcast(product_id: str) -> None:
        for catalog in catalogs:
            catalog.forget_near(product_id)

    near = NearCache(ttl_seconds=30)
    near.connected()
    catalog = ProductCatalog(ReadThroughCache(store), near, broadcast)
    catalogs.append(catalog)
    return catalog


async def test_a_near_hit_costs_no_round_trip() -> None:
    store = FakeStateStore()
    catalog = connected_catalog(store, [])

    async def lamp() -> clients.Product:
        return LAMP

    await catalog.product("p1", lamp)
    await catalog.products(clients.ProductFilter(), 20, "", page_of_lamp)
    store.calls.clear()

    assert await catalog.product("p1", lamp) == LAMP
    page = await catalog.products(clients.ProductFilter(), 20, "", page_of_lamp)
    assert page.items == [LAMP]
    assert sum(store.calls.values()) == 0


async def page_of_lamp() -> clients.Page[clients.Product]:
    return clients.Page([LAMP], "")


async def test_an_invalidation_reaches_the_near_cache_of_every_process() -> None:
    store = FakeStateStore()
    processes: list[ProductCatalog] = []
    one, two = connected_catalog(store, processes), connected_catalog(store, processes)
    current = [LAMP]

    async def load() -> clients.Product:
        return current[0]

    await one.product("p1", load)
    await two.product("p1", load)
    current[0] = clients.Product("p1", "Lamp", "", "home", clients.Money(90, "USD"), 3)

    await one.invalidate("p1")

    assert (await one.product("p1", load)).price.amount == 90
    assert (await two.product("p1", load)).price.amount == 90


async def test_a_read_racing_an_invalidation_does_not_keep_the_old_product() -> None:
    store = FakeStateStore()
    catalog = connected_catalog(store, [])
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow_old_lamp() -> clients.Product:
        reading.set()
        await release.wait()
        return LAMP

    reader = asyncio.create_task(catalog.product("p1", slow_old_lamp))
    await reading.wait()
    await catalog.invalidate("p1")
    release.set()
    await reader

    assert catalog.near.get("product:p1") is None


async def test_pages_first_cached_before_any_event_are_still_invalidated() -> None:
    store = FakeStateStore()
    catalog = ProductCatalog(ReadThroughCache(store))
    loads = CountingLoader()

    async def load() -> clients.Page[clients.Product]:
        await loads()
        return clients.Page([LAMP], "")

    await catalog.products(clients.ProductFilter(), 20, "", load)
    await catalog.invalidate("p1")  # must not be refused by the store
    await catalog.products(clients.ProductFilter(), 20, "", load)

    assert loads.calls == 2
