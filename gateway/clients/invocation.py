"""How a call reaches a service: through the gateway's own sidecar.

One long-lived `grpc.aio` channel to the sidecar serves every call to every
service; `dapr-app-id` names the target (Dapr's gRPC proxying), with the
sidecar's API token, the acting user the call is made for
(`common.caller.Actor`: user id, token subject and permissions, which the
services authorise from) and an explicit timeout. The channel makes each call
a span of the request's trace and sends its `traceparent`
(common.tracing_grpc), so Dapr links the services' spans and logs to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import grpc

from common.caller import NOBODY, Actor
from common.tracing_grpc import AioTraceClientInterceptor
from gateway.clients.status import error_from_rpc

R = TypeVar("R")


@dataclass(frozen=True)
class Invocation:
    """How to reach one app through our sidecar."""

    app_id: str
    dapr_api_token: str | None = None
    timeout: float = 5.0
    extra_metadata: tuple[tuple[str, str], ...] = field(default=())

    def metadata(self, actor: Actor = NOBODY) -> tuple[tuple[str, str], ...]:
        entries = [("dapr-app-id", self.app_id), *self.extra_metadata]
        entries.extend(actor.metadata())
        if self.dapr_api_token:
            entries.append(("dapr-api-token", self.dapr_api_token))
        return tuple(entries)

    async def call(
        self,
        rpc: Callable[..., Awaitable[R]],
        request: object,
        actor: Actor = NOBODY,
    ) -> R:
        """One unary call through the sidecar, made for `actor` (nobody: a
        public read); failures become typed errors."""
        metadata = self.metadata(actor)
        try:
            return await rpc(request, metadata=metadata, timeout=self.timeout)
        except grpc.RpcError as err:
            raise error_from_rpc(err) from err


def sidecar_channel(address: str) -> grpc.aio.Channel:
    """The one channel to our sidecar, for every call to every service (and
    the state API); each call inside a request is a span of its trace."""
    return grpc.aio.insecure_channel(
        address,
        options=[
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
        ],
        interceptors=[AioTraceClientInterceptor()],
    )
