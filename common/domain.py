"""The vocabulary every service's domain shares: its error base and the clock.

Pure Python (no dapr, grpc or pydantic), so domain modules may import it.
"""

from __future__ import annotations

from datetime import UTC, datetime


class DomainError(Exception):
    """Base of the errors a use case raises on purpose (mapped to gRPC codes)."""


class ValidationError(DomainError):
    """Bad input; `field` names the offending field as the caller spelled it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def now() -> datetime:
    return datetime.now(UTC)
