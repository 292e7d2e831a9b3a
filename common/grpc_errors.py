"""Domain errors -> gRPC status codes, in one place for every servicer.

Usage: `@status_for({NotFound: grpc.StatusCode.NOT_FOUND, ...})` on a servicer
method. Errors not in the table become INTERNAL with a generic message (the
details go to the log, never to the caller); errors that mean a dependency is
down (connection failures) become UNAVAILABLE.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# Exception types meaning "a dependency is unreachable" (filled by drivers present).
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)
try:
    import pymysql

    UNAVAILABLE_ERRORS += (pymysql.err.OperationalError,)
except ImportError:  # pragma: no cover
    pass
try:
    import pymongo.errors

    UNAVAILABLE_ERRORS += (
        pymongo.errors.ConnectionFailure,
        pymongo.errors.ServerSelectionTimeoutError,
    )
except ImportError:  # pragma: no cover
    pass


def status_for(table: dict[type[Exception], grpc.StatusCode]) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(self, request, context)
            except grpc.RpcError as err:
                # A call to another service failed: pass its status on.
                code = (
                    err.code() if hasattr(err, "code") else grpc.StatusCode.UNAVAILABLE
                )
                details = err.details() if hasattr(err, "details") else str(err)
                if code in (
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    grpc.StatusCode.INTERNAL,
                    grpc.StatusCode.UNKNOWN,
                ):
                    code = grpc.StatusCode.UNAVAILABLE
                context.abort(code, details or "dependency failed")
            except Exception as err:
                for error_type, code in table.items():
                    if isinstance(err, error_type):
                        context.abort(code, str(err))
                if isinstance(err, UNAVAILABLE_ERRORS):
                    log.warning("%s: dependency unavailable: %s", method.__name__, err)
                    context.abort(
                        grpc.StatusCode.UNAVAILABLE,
                        "a dependency is unavailable, retry later",
                    )
                log.exception("%s failed", method.__name__)
                context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return wrapper  # type: ignore[return-value]

    return decorate
