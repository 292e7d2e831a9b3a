"""The gRPC state store adapter against a real grpc.aio server speaking Dapr's
runtime API (a sidecar stand-in with `state.redis`'s first-write rules)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import dapr_pb2_grpc, state_pb2
from google.protobuf import empty_pb2

from gateway.cache import GrpcStateStore, StateStoreError

pytestmark = pytest.mark.anyio

TOKEN = "tok"


class Sidecar(dapr_pb2_grpc.DaprServicer):
    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        self.first_written: set[str] = set()
        self.metadata: dict[str, dict[str, str]] = {}

    async def _check(self, context: grpc.aio.ServicerContext) -> None:
        if dict(context.invocation_metadata() or ()).get("dapr-api-token") != TOKEN:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "invalid api token")

    async def GetState(self, request, context):  # type: ignore[no-untyped-def]
        await self._check(context)
        return state_pb2.GetStateResponse(data=self.values.get(request.key, b""))

    async def GetBulkState(self, request, context):  # type: ignore[no-untyped-def]
        await self._check(context)
        return state_pb2.GetBulkStateResponse(
            items=[
                state_pb2.BulkStateItem(key=k, data=self.values.get(k, b""))
                for k in reversed(request.keys)  # any order
            ]
        )

    async def SaveState(self, request, context):  # type: ignore[no-untyped-def]
        await self._check(context)
        for item in request.states:
            first_write = (
                item.options.concurrency
                == common_pb2.StateOptions.CONCURRENCY_FIRST_WRITE
            )
            if item.key in self.values and (
                first_write or item.key in self.first_written
            ):
                await context.abort(
                    grpc.StatusCode.INTERNAL,
                    f"failed saving state in state store cache: failed to set key "
                    f"gateway||{item.key}",
                )
            self.values[item.key] = item.value
            self.metadata[item.key] = dict(item.metadata)
            if first_write:
                self.first_written.add(item.key)
        return empty_pb2.Empty()

    async def DeleteState(self, request, context):  # type: ignore[no-untyped-def]
        await self._check(context)
        self.values.pop(request.key, None)
        self.first_written.discard(request.key)
        return empty_pb2.Empty()


@pytest.fixture
async def sidecar() -> AsyncIterator[tuple[Sidecar, grpc.aio.Channel]]:
    server = grpc.aio.server()
    fake = Sidecar()
    dapr_pb2_grpc.add_DaprServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield fake, channel
    await channel.close()
    await server.stop(None)


async def test_it_speaks_the_state_api(
    sidecar: tuple[Sidecar, grpc.aio.Channel],
) -> None:
    fake, channel = sidecar
    store = GrpcStateStore(channel, "cache", TOKEN)

    assert await store.get("k") is None
    await store.save("k", '{"a": 1}', 60)
    assert await store.get("k") == '{"a": 1}'
    assert fake.metadata["k"] == {"ttlInSeconds": "60"}
    assert await store.get_many(["gen", "k"]) == {"gen": None, "k": '{"a": 1}'}
    await store.delete("k")
    assert await store.get("k") is None


async def test_a_first_write_insert_says_whether_the_key_was_free(
    sidecar: tuple[Sidecar, grpc.aio.Channel],
) -> None:
    _, channel = sidecar
    store = GrpcStateStore(channel, "cache", TOKEN)

    assert await store.insert("lock:k", "me", 5) is True
    assert await store.insert("lock:k", "you", 5) is False
    await store.delete("lock:k")
    assert await store.insert("lock:k", "you", 5) is True


async def test_refusals_are_reported_with_their_code(
    sidecar: tuple[Sidecar, grpc.aio.Channel],
) -> None:
    _, channel = sidecar
    store = GrpcStateStore(channel, "cache", "wrong token")

    with pytest.raises(StateStoreError, match="UNAUTHENTICATED"):
        await store.get("k")
    with pytest.raises(StateStoreError, match="UNAUTHENTICATED"):
        await store.insert("lock:k", "me", 5)


async def test_an_unreachable_sidecar_is_a_store_error() -> None:
    channel = grpc.aio.insecure_channel("127.0.0.1:9")
    store = GrpcStateStore(channel, "cache", TOKEN, timeout=0.5)
    try:
        with pytest.raises(StateStoreError, match=r"UNAVAILABLE|DEADLINE"):
            await store.get("k")
    finally:
        await channel.close()
