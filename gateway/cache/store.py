"""The `cache` state store, reached over the sidecar's gRPC state API.

The gateway already holds one long-lived `grpc.aio` channel to its sidecar (for
Dapr's service invocation); the state calls ride on the same channel, with the
sidecar's API token. Values are UTF-8 text (the callers store JSON).

Redis semantics worth knowing (components-contrib `state.redis`): a key written
with first-write concurrency keeps a flag that makes every later write without
an ETag fail while the key lives. So only short-lived locks are inserted with
first-write; everything that is overwritten later is saved last-write.
"""

from __future__ import annotations

from typing import Any, Protocol

import grpc
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import dapr_pb2_grpc, state_pb2


class StateStoreError(Exception):
    """The state store could not be reached or refused the call."""


class StateStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def get_many(self, keys: list[str]) -> dict[str, str | None]:
        """Several keys in one round trip; absent keys map to None."""
        ...

    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None: ...

    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        """Save only if absent (first-write); False when the key exists."""
        ...

    async def delete(self, key: str) -> None: ...


# How the sidecar reports a first-write refused because the key exists: an ETag
# mismatch (ABORTED) where the store reports one, else Redis's script error.
_KEY_EXISTS = "failed to set key"


class GrpcStateStore:
    """A Dapr state store over the sidecar's gRPC API."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        store: str,
        api_token: str | None,
        timeout: float = 2.0,
    ) -> None:
        self._stub = dapr_pb2_grpc.DaprStub(channel)  # type: ignore[no-untyped-call]
        self._store = store
        self._metadata = (("dapr-api-token", api_token),) if api_token else ()
        self._timeout = timeout

    async def get(self, key: str) -> str | None:
        request = state_pb2.GetStateRequest(store_name=self._store, key=key)
        response = await self._rpc("GET", key, self._stub.GetState, request)
        return response.data.decode() if response.data else None

    async def get_many(self, keys: list[str]) -> dict[str, str | None]:
        request = state_pb2.GetBulkStateRequest(
            store_name=self._store, keys=keys, parallelism=len(keys)
        )
        response = await self._rpc(
            "BULK GET", keys[0], self._stub.GetBulkState, request
        )
        found: dict[str, str | None] = dict.fromkeys(keys)
        for item in response.items:
            if item.error:
                raise StateStoreError(f"BULK GET {item.key}: {item.error}")
            found[item.key] = item.data.decode() if item.data else None
        return found

    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None:
        await self._save("SAVE", self._item(key, value, ttl_seconds))

    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        item = self._item(key, value, ttl_seconds)
        item.options.concurrency = common_pb2.StateOptions.CONCURRENCY_FIRST_WRITE
        try:
            await self._save("INSERT", item)
        except StateStoreError as err:
            if isinstance(err.__cause__, grpc.aio.AioRpcError) and (
                err.__cause__.code() == grpc.StatusCode.ABORTED
                or _KEY_EXISTS in (err.__cause__.details() or "")
            ):
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        request = state_pb2.DeleteStateRequest(store_name=self._store, key=key)
        await self._rpc("DELETE", key, self._stub.DeleteState, request)

    @staticmethod
    def _item(key: str, value: str, ttl_seconds: int | None) -> common_pb2.StateItem:
        item = common_pb2.StateItem(key=key, value=value.encode())
        if ttl_seconds:
            item.metadata["ttlInSeconds"] = str(ttl_seconds)
        return item

    async def _save(self, verb: str, item: common_pb2.StateItem) -> None:
        request = state_pb2.SaveStateRequest(store_name=self._store, states=[item])
        await self._rpc(verb, item.key, self._stub.SaveState, request)

    async def _rpc(self, verb: str, key: str, method: Any, request: Any) -> Any:
        try:
            return await method(request, metadata=self._metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as err:
            raise StateStoreError(
                f"{verb} {key}: {err.code().name} {err.details()}"
            ) from err
