"""Errors of the GraphQL API, in two kinds.

- Expected outcomes of a mutation are members of its result union: `NotFound`,
  `ValidationError` (with field names), `OutOfStock`, `Forbidden`, `Conflict`,
  `Unavailable`, all implementing the `UserError` interface.
- Failures of a whole field are GraphQL errors with a stable
  `extensions.code`: `UNAUTHENTICATED`, `BAD_USER_INPUT`, `NOT_FOUND`,
  `UNAVAILABLE`; syntax and validation errors get
  `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED`. Anything else is a bug:
  its message is replaced by a fixed one with code `INTERNAL` (`MaskInternalErrors`)
  and its traceback goes to the log.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from gateway import clients

INTERNAL_MESSAGE = "Internal server error."


# --- field-level failures (GraphQL errors) ---------------------------------------


class ApiError(GraphQLError):
    """An expected failure: shown to the client as it is, with its code."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required.") -> None:
        super().__init__(message)


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}", argument=argument)


class ResourceNotFound(ApiError):
    code = "NOT_FOUND"


class ServiceUnavailable(ApiError):
    code = "UNAVAILABLE"

    def __init__(self, message: str = "A service is unavailable; retry later.") -> None:
        super().__init__(message)


def api_error(err: Exception) -> Exception:
    """A service failure as the field error a query reports."""
    if isinstance(err, clients.NotFound):
        return ResourceNotFound("Not found.")
    if isinstance(err, clients.InvalidArgument):
        problem = (
            err.problems[0] if err.problems else clients.FieldProblem("", str(err))
        )
        return BadUserInput(problem.field or "input", problem.message)
    if isinstance(err, clients.Unavailable):
        return ServiceUnavailable()
    return err  # masked as INTERNAL


# --- members of the result unions -------------------------------------------------


@strawberry.interface(description="An expected outcome the client should handle.")
class UserError:
    message: str


@strawberry.type(description="No such object, or not one the caller may see.")
class NotFound(UserError):
    id: strawberry.ID = strawberry.field(description="The id that was asked for.")


@strawberry.type(description="What is wrong with one input field.")
class FieldError:
    field: str = strawberry.field(
        description="Path of the input field, e.g. `items[0].quantity`."
    )
    message: str


@strawberry.type(description="The input was refused; `fields` says where.")
class ValidationError(UserError):
    fields: list[FieldError]


@strawberry.type(description="Not enough stock for one line of the order.")
class OutOfStock(UserError):
    product_id: strawberry.ID
    requested: int | None = None
    available: int | None = strawberry.field(
        default=None, description="Units in stock, when the service said."
    )


@strawberry.type(description="The caller lacks a permission this needs.")
class Forbidden(UserError):
    permission: str | None = None


@strawberry.type(
    description="The request conflicts with the current state "
    "(e.g. cancelling a shipped order)."
)
class Conflict(UserError):
    pass


@strawberry.type(description="A service is unavailable; the request may be retried.")
class Unavailable(UserError):
    pass


ResultError = (
    NotFound | ValidationError | OutOfStock | Forbidden | Conflict | Unavailable
)


def union_members(result_type: object) -> tuple[type, ...]:
    """The member types of an `Annotated[A | B, strawberry.union(...)]`."""
    args = typing.get_args(result_type)
    union = args[0] if args else result_type
    return typing.get_args(union) or (union,)


def result_error(
    err: Exception, result_type: object, object_id: str | None = None
) -> Any:
    """A service failure as a member of the mutation's result union.

    Re-raises (to be masked as INTERNAL) what is unexpected, or what that union
    has no member for. Typed Any: the member is checked against `result_type`
    at run time.
    """
    member = _member_for(err, object_id)
    if member is None or not isinstance(member, union_members(result_type)):
        raise err
    return member


def _member_for(err: Exception, object_id: str | None) -> ResultError | None:
    if isinstance(err, clients.NotFound):
        return NotFound(message="Not found.", id=strawberry.ID(object_id or ""))
    if isinstance(err, clients.InvalidArgument):
        return ValidationError(
            message="The input is not valid.",
            fields=[FieldError(field=p.field, message=p.message) for p in err.problems],
        )
    if isinstance(err, clients.OutOfStock):
        return OutOfStock(
            message=f"Not enough stock of product {err.product_id}.",
            product_id=strawberry.ID(err.product_id),
            requested=err.requested,
            available=err.available,
        )
    if isinstance(err, clients.FailedPrecondition):
        return Conflict(message=str(err) or "Conflicts with the current state.")
    if isinstance(err, clients.Unavailable):
        return Unavailable(message="A service is unavailable; retry later.")
    return None


# --- masking -------------------------------------------------------------------------


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors raised by a bug, not by us or graphql-core."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskInternalErrors(MaskErrors):
    """Unexpected errors -> a fixed message and code INTERNAL; every other error
    gets a code too, so clients can always switch on `extensions.code`."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=is_unexpected, error_message=INTERNAL_MESSAGE
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return with_codes(super()._process_errors(errors))


_MASK = MaskInternalErrors()


def finalize_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Mask and code a result's errors; safe to apply twice. Used on results the
    extension does not see (errors raised while parsing or validating)."""
    return _MASK._process_errors(errors)


def with_codes(errors: list[GraphQLError]) -> list[GraphQLError]:
    for error in errors:
        if error.extensions and "code" in error.extensions:
            continue
        error.extensions = {**(error.extensions or {}), "code": _code_of(error)}
    return errors


def _code_of(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError) or isinstance(
        error.original_error, GraphQLSyntaxError
    ):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL"
