"""What can go wrong when calling a service, as typed errors with their facts.

`ServiceError` and its subclasses are outcomes a caller may handle (the
GraphQL layer maps each onto a result type or an error code in
`gateway/graphql/errors.py`); `UnexpectedServiceError` is a bug somewhere
and is masked. `status.py` builds them from a failed call's rich details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ServiceError(Exception):
    """A call to a service failed in a way the caller may handle."""


class NotFound(ServiceError):
    def __init__(self, message: str = "", *, resource: str = "", id: str = "") -> None:
        super().__init__(message or f"{resource or 'object'} {id} not found".strip())
        self.resource = resource
        self.id = id


class AlreadyExists(ServiceError):
    """An object with the same unique `field` exists."""

    def __init__(
        self, message: str = "", *, resource: str = "", field: str = ""
    ) -> None:
        super().__init__(message or f"{resource or 'object'} already exists")
        self.resource = resource
        self.field = field


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class InvalidArgument(ServiceError):
    def __init__(self, problems: Sequence[FieldProblem], message: str = "") -> None:
        super().__init__(
            message or "; ".join(f"{p.field}: {p.message}" for p in problems)
        )
        self.problems = list(problems)


class OutOfStock(ServiceError):
    def __init__(
        self,
        product_id: str,
        requested: int | None = None,
        available: int | None = None,
        message: str = "",
    ) -> None:
        super().__init__(message or f"product {product_id} is out of stock")
        self.product_id = product_id
        self.requested = requested
        self.available = available


class FailedPrecondition(ServiceError):
    """The request conflicts with the current state (e.g. an illegal transition);
    `current_status` is the object's status now, when the service said."""

    def __init__(
        self,
        message: str = "",
        *,
        current_status: str | None = None,
        requested_status: str | None = None,
    ) -> None:
        super().__init__(message or "conflicts with the current state")
        self.current_status = current_status
        self.requested_status = requested_status


class PermissionDenied(ServiceError):
    """The service refused the caller (`caller` names who it saw)."""

    def __init__(self, message: str = "", *, caller: str = "") -> None:
        super().__init__(message or "permission denied")
        self.caller = caller


class Unavailable(ServiceError):
    """The service (or its sidecar) cannot serve the call now; retry later."""

    def __init__(self, message: str = "", *, dependency: str = "") -> None:
        super().__init__(message or f"{dependency or 'a service'} is unavailable")
        self.dependency = dependency


class UnexpectedServiceError(Exception):
    """Anything else: a bug somewhere. Not for callers to handle (it is masked)."""
