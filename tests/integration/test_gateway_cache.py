"""The gateway's cache store on the real sidecar and Redis: the gRPC state API
as the gateway uses it, including Redis's first-write rules."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from common import components
from devmesh import ports
from gateway.cache import GrpcStateStore, ReadThroughCache
from tests.integration.helpers import dapr_token

pytestmark = [pytest.mark.integration, pytest.mark.lite]


def run_with_store(shared_env: dict[str, str], body) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        address = f"127.0.0.1:{ports.load().apps['gateway'].grpc}"
        async with grpc.aio.insecure_channel(address) as channel:
            store = GrpcStateStore(channel, components.CACHE, dapr_token("gateway"))
            await body(store)

    asyncio.run(main())


def test_values_round_trip_and_bulk_reads_see_them(shared_env: dict[str, str]) -> None:
    key, absent = f"it:{uuid.uuid4().hex}", f"it:{uuid.uuid4().hex}"

    async def body(store: GrpcStateStore) -> None:
        await store.save(key, '{"name": "Lamp"}', 30)
        assert await store.get(key) == '{"name": "Lamp"}'
        assert await store.get_many([absent, key]) == {
            absent: None,
            key: '{"name": "Lamp"}',
        }
        await store.delete(key)
        assert await store.get(key) is None

    run_with_store(shared_env, body)


def test_a_first_write_insert_is_refused_while_the_key_lives(
    shared_env: dict[str, str],
) -> None:
    lock = f"lock:it:{uuid.uuid4().hex}"

    async def body(store: GrpcStateStore) -> None:
        assert await store.insert(lock, "one", 5) is True
        assert await store.insert(lock, "two", 5) is False
        assert await store.get(lock) == "one"
        await store.delete(lock)
        assert await store.insert(lock, "two", 5) is True
        await store.delete(lock)

    run_with_store(shared_env, body)


def test_a_version_made_on_first_use_can_be_bumped(shared_env: dict[str, str]) -> None:
    version_key, page = f"it:gen:{uuid.uuid4().hex}", f"it:page:{uuid.uuid4().hex}"

    async def body(store: GrpcStateStore) -> None:
        cache = ReadThroughCache(store, ttl_seconds=30)
        loads: list[str] = []

        async def load() -> str:
            loads.append("x")
            return f"value {len(loads)}"

        assert await cache.get_or_load(page, load, version_key=version_key) == "value 1"
        assert await cache.get_or_load(page, load, version_key=version_key) == "value 1"
        await cache.bump(version_key)
        assert await cache.get_or_load(page, load, version_key=version_key) == "value 2"
        for key in (version_key, page):
            await store.delete(key)
        await cache.close()

    run_with_store(shared_env, body)
