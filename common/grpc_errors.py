"""Domain errors -> gRPC status and rich error details, in one place for every servicer.

Usage: `@status_for({NotFound: grpc.StatusCode.NOT_FOUND, ...})` on a servicer
method. A domain error in the table ends the call with that code and the error
details of `common.error_details` (its reason, facts and field violations).
Errors not in the table become INTERNAL with a generic message (the details go
to the log, never to the caller); errors that mean a dependency is down
(connection failures) become UNAVAILABLE. A failed call to another service is
passed on, with its details when it carried any.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import grpc

from common.domain import DomainError
from common.error_details import (
    ErrorDetail,
    FieldViolation,
    Reason,
    abort,
    from_rpc_error,
)

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ErrorTable = Mapping[type[DomainError], grpc.StatusCode]

# Exception types meaning "a dependency is unreachable", with that dependency's
# name (filled by the drivers present).
UNAVAILABLE_ERRORS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((ConnectionError, TimeoutError), "network")
]
try:
    import pymysql

    UNAVAILABLE_ERRORS.append(((pymysql.err.OperationalError,), "mysql"))
except ImportError:  # pragma: no cover
    pass
try:
    import pymongo.errors

    UNAVAILABLE_ERRORS.append(
        (
            (
                pymongo.errors.ConnectionFailure,
                pymongo.errors.ServerSelectionTimeoutError,
            ),
            "mongodb",
        )
    )
except ImportError:  # pragma: no cover
    pass

# A downstream failure with one of these codes means "try again later" to our caller.
PASSED_ON_AS_UNAVAILABLE = (
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
)


def error_detail(err: DomainError, code: grpc.StatusCode) -> ErrorDetail:
    """What the caller is told about a domain error: reason, facts, fields."""
    return ErrorDetail(
        code=code,
        reason=Reason(err.reason),
        message=str(err),
        metadata=err.facts(),
        violations=tuple(
            FieldViolation(name, description)
            for name, description in err.field_violations()
        ),
    )


def _unavailable_dependency(err: Exception) -> str | None:
    for types, dependency in UNAVAILABLE_ERRORS:
        if isinstance(err, types):
            return dependency
    return None


def _pass_on(context: grpc.ServicerContext, err: grpc.RpcError) -> None:
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNAVAILABLE
    if code in PASSED_ON_AS_UNAVAILABLE:
        code = grpc.StatusCode.UNAVAILABLE
    detail = from_rpc_error(err)
    if detail is not None:
        abort(context, dataclasses.replace(detail, code=code))
    details = err.details() if hasattr(err, "details") else str(err)
    context.abort(code, details or "dependency failed")


def status_for(table: ErrorTable) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(self, request, context)
            except grpc.RpcError as err:
                _pass_on(context, err)
            except Exception as err:
                for error_type, code in table.items():
                    if isinstance(err, error_type):
                        abort(context, error_detail(err, code))
                dependency = _unavailable_dependency(err)
                if dependency is not None:
                    log.warning(
                        "%s: %s unavailable: %s", method.__name__, dependency, err
                    )
                    abort(
                        context,
                        ErrorDetail(
                            grpc.StatusCode.UNAVAILABLE,
                            Reason.UNAVAILABLE,
                            "a dependency is unavailable, retry later",
                            {"dependency": dependency},
                        ),
                    )
                log.exception("%s failed", method.__name__)
                context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return wrapper  # type: ignore[return-value]

    return decorate
