"""Errors as data: the reason and facts a service sends with a failed gRPC call.

A service that refuses a call answers with a gRPC status code *and* a
`google.rpc.Status` in the trailing metadata (`grpc-status-details-bin`), which
carries one `google.rpc.ErrorInfo` (domain `daprshop`, a `Reason`, its facts as
string metadata) and, for bad input, a `google.rpc.BadRequest` naming each
offending field. Callers read it back with `from_rpc_error`; nobody parses the
human-readable message.

The reasons and the facts each one carries (the contract; the gateway maps
reasons to GraphQL error types in `gateway/graphql/errors.py`):

| reason              | status code          | metadata                           |
|---------------------|----------------------|------------------------------------|
| NOT_FOUND           | NOT_FOUND            | resource, id                       |
| ALREADY_EXISTS      | ALREADY_EXISTS       | resource, field                    |
| INVALID_ARGUMENT    | INVALID_ARGUMENT     | (BadRequest field violations)      |
| OUT_OF_STOCK        | FAILED_PRECONDITION  | product_id, requested, available   |
| ILLEGAL_TRANSITION  | FAILED_PRECONDITION  | current_status, requested_status   |
| CURRENCY_MISMATCH   | FAILED_PRECONDITION  | currencies (comma-separated)       |
| FAILED_PRECONDITION | FAILED_PRECONDITION  | current_status (when there is one) |
| PERMISSION_DENIED   | PERMISSION_DENIED    | caller                             |
| UNAVAILABLE         | UNAVAILABLE          | dependency                         |
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "daprshop"
DETAILS_KEY = "grpc-status-details-bin"


class Reason(enum.StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


@dataclass(frozen=True)
class ErrorDetail:
    """What a refused call says about itself, transport-neutral."""

    code: grpc.StatusCode
    reason: Reason
    message: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    violations: tuple[FieldViolation, ...] = ()

    def fact(self, key: str, default: str = "") -> str:
        return self.metadata.get(key, default)

    def int_fact(self, key: str) -> int | None:
        value = self.metadata.get(key, "")
        return int(value) if value.lstrip("-").isdigit() else None


class _Status(grpc.Status):  # type: ignore[misc]  # grpc.Status is untyped
    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        trailing_metadata: tuple[tuple[str, str | bytes], ...],
    ) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def to_status_proto(detail: ErrorDetail) -> status_pb2.Status:
    info = error_details_pb2.ErrorInfo(
        reason=detail.reason.value, domain=DOMAIN, metadata=dict(detail.metadata)
    )
    packed = [_pack(info)]
    if detail.violations:
        packed.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=v.description
                        )
                        for v in detail.violations
                    ]
                )
            )
        )
    return status_pb2.Status(
        code=detail.code.value[0], message=detail.message, details=packed
    )


def to_grpc_status(detail: ErrorDetail) -> grpc.Status:
    proto = to_status_proto(detail)
    return _Status(
        detail.code, detail.message, ((DETAILS_KEY, proto.SerializeToString()),)
    )


def abort(context: grpc.ServicerContext, detail: ErrorDetail) -> NoReturn:
    """End the call with the status code, message and rich details."""
    context.abort_with_status(to_grpc_status(detail))
    raise AssertionError("abort_with_status returned")  # pragma: no cover


def from_rpc_error(err: grpc.RpcError) -> ErrorDetail | None:
    """The rich details of a failed call, or None when it carries none."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    trailing = err.trailing_metadata() if hasattr(err, "trailing_metadata") else ()
    raw = _details_bytes(trailing or ())
    if raw is None:
        return None
    status = status_pb2.Status.FromString(raw)
    return from_status_proto(status, code)


def from_status_proto(
    status: status_pb2.Status, code: grpc.StatusCode | None = None
) -> ErrorDetail | None:
    info: error_details_pb2.ErrorInfo | None = None
    violations: list[FieldViolation] = []
    for packed in status.details:
        if packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            packed.Unpack(info)
        elif packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            request = error_details_pb2.BadRequest()
            packed.Unpack(request)
            violations.extend(
                FieldViolation(v.field, v.description) for v in request.field_violations
            )
    if info is None or info.domain != DOMAIN:
        return None
    try:
        reason = Reason(info.reason)
    except ValueError:
        return None
    return ErrorDetail(
        code=code or _code(status.code),
        reason=reason,
        message=status.message,
        metadata=dict(info.metadata),
        violations=tuple(violations),
    )


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _details_bytes(trailing: Iterable[Any]) -> bytes | None:
    for item in trailing:
        key, value = (item.key, item.value) if hasattr(item, "key") else item
        if key == DETAILS_KEY and isinstance(value, bytes):
            return value
    return None


def _code(value: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN


__all__ = [
    "DETAILS_KEY",
    "DOMAIN",
    "ErrorDetail",
    "FieldViolation",
    "Reason",
    "abort",
    "from_rpc_error",
    "from_status_proto",
    "to_grpc_status",
    "to_status_proto",
]
