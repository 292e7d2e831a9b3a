"""The vocabulary every service's domain shares: its error base and the clock.

Pure Python (no dapr, grpc or pydantic), so domain modules may import it.

A domain error says why it was raised as data: `reason` (one of the reasons of
`common.error_details.Reason`, spelled as a string so this module stays free of
grpc), `facts()` (the metadata that reason carries) and `field_violations()`
(the offending fields of bad input). The gRPC layer turns them into rich error
details (`common.grpc_errors.status_for`); nobody parses the message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar


class DomainError(Exception):
    """Base of the errors a use case raises on purpose (mapped to gRPC codes)."""

    reason: ClassVar[str] = "FAILED_PRECONDITION"

    def facts(self) -> dict[str, str]:
        """The reason's metadata (see the table in common/error_details.py)."""
        return {}

    def field_violations(self) -> tuple[tuple[str, str], ...]:
        """(field, description) pairs, for bad input."""
        return ()


class ValidationError(DomainError):
    """Bad input; `field` names the offending field as the caller spelled it."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message

    def field_violations(self) -> tuple[tuple[str, str], ...]:
        return ((self.field, self.message),)


class NotFound(DomainError):
    """No `resource` (user, product, order...) with this id, as far as the caller
    may know."""

    reason = "NOT_FOUND"

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"{resource} {resource_id} not found")
        self.resource = resource
        self.resource_id = resource_id

    def facts(self) -> dict[str, str]:
        return {"resource": self.resource, "id": self.resource_id}


class OutOfStock(DomainError):
    """Fewer units left than asked for; `available` is None when unknown."""

    reason = "OUT_OF_STOCK"

    def __init__(self, product_id: str, requested: int, available: int | None) -> None:
        if available is None:
            super().__init__(f"product {product_id} is out of stock")
        else:
            super().__init__(
                f"product {product_id}: {requested} requested, {available} in stock"
            )
        self.product_id = product_id
        self.requested = requested
        self.available = available

    def facts(self) -> dict[str, str]:
        facts = {"product_id": self.product_id, "requested": str(self.requested)}
        if self.available is not None:
            facts["available"] = str(self.available)
        return facts


class Unavailable(DomainError):
    """A dependency (another service, a database) cannot be reached now."""

    reason = "UNAVAILABLE"

    def __init__(self, dependency: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{dependency} is unavailable, retry later{suffix}")
        self.dependency = dependency

    def facts(self) -> dict[str, str]:
        return {"dependency": self.dependency}


def now() -> datetime:
    return datetime.now(UTC)
