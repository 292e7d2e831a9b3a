"""A stand-in for grpc.ServicerContext: the part servicers use to end a call.

An ended call raises `Aborted`, which reads like the `grpc.RpcError` a client
would get (code, details, trailing metadata), so tests decode its rich error
details with `common.error_details.from_rpc_error`, as callers do.
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc

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
    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        raise Aborted(code, details)

    def abort_with_status(self, status: Any) -> NoReturn:
        raise Aborted(status.code, status.details, status.trailing_metadata)
