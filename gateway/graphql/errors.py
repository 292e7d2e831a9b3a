"""Errors of the GraphQL API, in two kinds.

- Expected outcomes of a mutation are members of its result union: `NotFound`,
  `ValidationError` (with field names), `OutOfStock`, `Forbidden`, `Conflict`,
  `Unavailable`, all implementing the `UserError` interface.
- Failures of a whole field are GraphQL errors with a stable
  `extensions.code`: `UNAUTHENTICATED`, `BAD_USER_INPUT`, `NOT_FOUND`,
  `FORBIDDEN`, `UNAVAILABLE`; syntax and validation errors get
  `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED`. Anything else is a bug:
  its message is replaced by a fixed one with code `INTERNAL` and its traceback
  goes to the log (`gateway.graphql.masking`).

A service's refusal (a `clients.ServiceError`, built from its reason and facts)
becomes one or the other here and nowhere else: resolvers are wrapped in
`@service_errors`, which picks the union member (`result_error`) or the coded
field error (`api_error`).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

import strawberry
from graphql import GraphQLError

from gateway import clients

P = ParamSpec("P")
R = TypeVar("R")


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


class AccessDenied(ApiError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Not allowed.") -> None:
        super().__init__(message)


class ServiceUnavailable(ApiError):
    code = "UNAVAILABLE"

    def __init__(self, message: str = "A service is unavailable; retry later.") -> None:
        super().__init__(message)


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
    current_status: str | None = strawberry.field(
        default=None,
        description="The object's status now, when the conflict is about it.",
    )


@strawberry.type(description="A service is unavailable; the request may be retried.")
class Unavailable(UserError):
    pass


ResultError = (
    NotFound | ValidationError | OutOfStock | Forbidden | Conflict | Unavailable
)


# --- a service's refusal, answered: the one mapping --------------------------------


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


def service_errors(
    resolver: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R]]:
    """Answer the resolver's `clients.ServiceError`s the GraphQL way.

    When the resolver returns a result union with `UserError` members, the
    failure becomes its member (its `id` argument, if any, is the `NotFound`
    id); otherwise the field fails with a coded error (`api_error`). What has
    no member or code is re-raised and masked as INTERNAL.
    """

    @functools.wraps(resolver)
    async def answered(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except clients.ServiceError as err:
            result_type = _result_union(resolver)
            if result_type is None:
                raise api_error(err) from err
            object_id = kwargs.get("id")
            return cast(R, result_error(err, result_type, _str_or_none(object_id)))

    return answered


@functools.cache
def _result_union(resolver: Callable[..., object]) -> object | None:
    """The resolver's return type when it is a union with error members."""
    returned = typing.get_type_hints(resolver, include_extras=True).get("return")
    members = union_members(returned)
    if any(isinstance(m, type) and issubclass(m, UserError) for m in members):
        return returned
    return None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _member_for(err: Exception, object_id: str | None) -> ResultError | None:
    if isinstance(err, clients.NotFound):
        return NotFound(
            message="Not found.", id=strawberry.ID(object_id or err.id or "")
        )
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
        return Conflict(message=str(err), current_status=err.current_status)
    if isinstance(err, clients.AlreadyExists):
        return Conflict(message=str(err))
    if isinstance(err, clients.PermissionDenied):
        return Forbidden(message="Not allowed.")
    if isinstance(err, clients.Unavailable):
        return Unavailable(message="A service is unavailable; retry later.")
    return None


def api_error(err: Exception) -> Exception:
    """A service failure as the field error a query reports."""
    if isinstance(err, clients.NotFound):
        return ResourceNotFound("Not found.")
    if isinstance(err, clients.InvalidArgument):
        problem = (
            err.problems[0] if err.problems else clients.FieldProblem("", str(err))
        )
        return BadUserInput(problem.field or "input", problem.message)
    if isinstance(err, clients.PermissionDenied):
        return AccessDenied()
    if isinstance(err, clients.Unavailable):
        return ServiceUnavailable()
    return err  # masked as INTERNAL
