"""The read-through cache: no stampede (in a process and across processes),
versioned entries read in one round trip, and a cache that fails open."""

from __future__ import annotations

import asyncio

import pytest

from gateway import clients
from gateway.cache import ReadThroughCache
from tests.unit.gateway.fake_infra import CountingLoader, FakeStateStore

pytestmark = pytest.mark.anyio


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


async def test_a_versioned_hit_is_one_round_trip() -> None:
    store = FakeStateStore()
    cache = ReadThroughCache(store)
    load = CountingLoader()
    await cache.get_or_load("page", load, version_key="gen")
    store.calls.clear()

    assert await cache.get_or_load("page", load, version_key="gen") == "v"

    assert dict(store.calls) == {"get_many": 1}
    assert load.calls == 1


async def test_bumping_the_version_orphans_every_entry_filled_before() -> None:
    store = FakeStateStore()
    cache = ReadThroughCache(store)
    first, second = CountingLoader("old"), CountingLoader("new")
    await cache.get_or_load("page", first, version_key="gen")

    await cache.bump("gen")

    assert await cache.get_or_load("page", second, version_key="gen") == "new"
    assert await cache.get_or_load("page", second, version_key="gen") == "new"
    assert second.calls == 1


async def test_a_version_made_on_first_use_can_be_bumped() -> None:
    # Redis refuses a plain write over a key inserted first-write; the version
    # key must never be one, or every later invalidation would fail.
    store = FakeStateStore()
    cache = ReadThroughCache(store)
    await cache.get_or_load("page", CountingLoader(), version_key="gen")

    await cache.bump("gen")

    assert "gen" not in store.first_written


async def test_nothing_is_cached_under_a_version_that_could_not_be_read() -> None:
    store = FakeStateStore()
    store.down = True
    cache = ReadThroughCache(store)

    assert await cache.get_or_load("page", CountingLoader(), version_key="gen") == "v"

    store.down = False
    assert store.data == {}
