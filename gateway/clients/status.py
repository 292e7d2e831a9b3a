"""A failed gRPC call as one of the typed errors of `errors.py`.

The services say why they refused in rich details (`common.error_details`: a
reason, its facts, the offending fields); the error is built from those. A
status without them (the sidecar itself failed, or the target is not one of
ours) is judged by its code alone. No message text is ever parsed: it is only
carried along as the error's message.
"""

from __future__ import annotations

import grpc

from common.error_details import ErrorDetail, Reason, from_rpc_error
from gateway.clients.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldProblem,
    InvalidArgument,
    NotFound,
    OutOfStock,
    PermissionDenied,
    Unavailable,
    UnexpectedServiceError,
)

# Codes that mean "not now" whoever sent them: the caller may retry later.
UNAVAILABLE_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.CANCELLED,
    }
)


def error_from_rpc(err: grpc.RpcError) -> Exception:
    detail = from_rpc_error(err)
    if detail is not None:
        return error_from_detail(detail)
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    message = (err.details() if hasattr(err, "details") else "") or ""
    return error_from_code(code, message)


def error_from_detail(detail: ErrorDetail) -> Exception:
    """The typed error for a reason, with the facts the contract gives it."""
    message = detail.message
    match detail.reason:
        case Reason.NOT_FOUND:
            return NotFound(
                message, resource=detail.fact("resource"), id=detail.fact("id")
            )
        case Reason.ALREADY_EXISTS:
            return AlreadyExists(
                message, resource=detail.fact("resource"), field=detail.fact("field")
            )
        case Reason.INVALID_ARGUMENT:
            problems = [
                FieldProblem(camel_case(v.field), v.description)
                for v in detail.violations
            ]
            return InvalidArgument(problems or [FieldProblem("", message)], message)
        case Reason.OUT_OF_STOCK:
            return OutOfStock(
                detail.fact("product_id"),
                detail.int_fact("requested"),
                detail.int_fact("available"),
                message,
            )
        case (
            Reason.ILLEGAL_TRANSITION
            | Reason.CURRENCY_MISMATCH
            | Reason.FAILED_PRECONDITION
        ):
            return FailedPrecondition(
                message,
                current_status=detail.fact("current_status") or None,
                requested_status=detail.fact("requested_status") or None,
            )
        case Reason.PERMISSION_DENIED:
            return PermissionDenied(message, caller=detail.fact("caller"))
        case Reason.UNAVAILABLE:
            return Unavailable(message, dependency=detail.fact("dependency"))
    return error_from_code(detail.code, message)  # a reason newer than this code


def error_from_code(code: grpc.StatusCode, message: str) -> Exception:
    """A status without our details. PERMISSION_DENIED or UNAUTHENTICATED from
    a sidecar means the mesh is misconfigured, so those stay unexpected."""
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(message)
    if code == grpc.StatusCode.ALREADY_EXISTS:
        return AlreadyExists(message)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument([FieldProblem("", message)], message)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return FailedPrecondition(message)
    if code in UNAVAILABLE_CODES:
        return Unavailable(message or code.name)
    return UnexpectedServiceError(f"{code.name}: {message}")


def camel_case(path: str) -> str:
    """`min_price` -> `minPrice`, segment by segment; camelCase stays as it is.
    The services name fields as their proto does; GraphQL inputs are camelCase."""
    head, *rest = path.split("_")
    return head + "".join(
        part[0].upper() + part[1:] if part[:1].islower() else f"_{part}"
        for part in rest
    )
