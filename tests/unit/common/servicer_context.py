"""A stand-in for grpc.ServicerContext: the part servicers use to end a call.

`FakeContext(metadata)` also answers `invocation_metadata()`; `as_gateway` and
`as_app` build one as the callee's sidecar would deliver it (common.caller).

An ended call raises `Aborted`, which reads like the `grpc.RpcError` a client
would get (code, details, trailing metadata), so tests decode its rich error
details with `common.error_details.from_rpc_error`, as callers do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import grpc

from common.caller import CALLER_APP_HEADER, GATEWAY, Actor
from common.error_details import ErrorDetail, from_rpc_error


class Aborted(grpc.RpcError):  # type: ignore[misc]  # grpc.RpcError is untyped
    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        trailing: tuple[tuple[str, str | bytes], ...] = (),
    ) -> None:
        super().__init__(f"{code.name}: {details}")
        self._code = code
        self._details = details
        self._trailing = trailing

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._trailing

    @property
    def detail(self) -> ErrorDetail | None:
        """The rich error details the call ended with (None without any)."""
        return from_rpc_error(self)


class FakeContext:
    def __init__(self, metadata: Iterable[tuple[str, str]] = ()) -> None:
        self._metadata = tuple(metadata)

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        raise Aborted(code, details)

    def abort_with_status(self, status: Any) -> NoReturn:
        raise Aborted(status.code, status.details, status.trailing_metadata)


def as_app(app: str, *extra: tuple[str, str]) -> FakeContext:
    """A call from `app`, as its sidecar forwards it (extra metadata first)."""
    return FakeContext((*extra, (CALLER_APP_HEADER, app)))


def as_gateway(user: str = "", *permissions: str, subject: str = "") -> FakeContext:
    """A call the gateway makes for `user` holding `permissions`."""
    actor = Actor(user, subject, frozenset(permissions))
    return as_app(GATEWAY, *actor.metadata())
