"""The one place a service's refusal becomes GraphQL: `service_errors` turns
each typed client error into its result-union member, or into a field error
with its `extensions.code` when the field returns no union."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
import strawberry

from gateway import clients
from gateway.graphql import errors
from gateway.graphql.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    OutOfStock,
    Unavailable,
    ValidationError,
    service_errors,
)
from gateway.graphql.orders.types import CancelOrderResult, Order

pytestmark = pytest.mark.anyio

AnyResult = Annotated[
    Order
    | NotFound
    | ValidationError
    | OutOfStock
    | Forbidden
    | Conflict
    | Unavailable,
    strawberry.union("AnyResult"),
]


def refusing(err: Exception) -> Any:
    """A mutation resolver whose service refuses with `err`."""

    @service_errors
    async def mutate(id: str | None = None) -> AnyResult:
        raise err

    return mutate


@pytest.mark.parametrize(
    ("err", "member"),
    [
        (
            clients.NotFound(resource="order", id="o7"),
            NotFound(message="Not found.", id=strawberry.ID("o7")),
        ),
        (
            clients.InvalidArgument(
                [clients.FieldProblem("items[0].quantity", "must be positive")]
            ),
            ValidationError(
                message="The input is not valid.",
                fields=[
                    FieldError(field="items[0].quantity", message="must be positive")
                ],
            ),
        ),
        (
            clients.OutOfStock("p1", requested=5, available=2),
            OutOfStock(
                message="Not enough stock of product p1.",
                product_id=strawberry.ID("p1"),
                requested=5,
                available=2,
            ),
        ),
        (
            clients.FailedPrecondition("cannot cancel", current_status="SHIPPED"),
            Conflict(message="cannot cancel", current_status="SHIPPED"),
        ),
        (
            clients.AlreadyExists("taken", resource="user", field="subject"),
            Conflict(message="taken"),
        ),
        (clients.PermissionDenied(caller="x"), Forbidden(message="Not allowed.")),
        (
            clients.Unavailable(dependency="statestore"),
            Unavailable(message="A service is unavailable; retry later."),
        ),
    ],
    ids=lambda value: type(value).__name__,
)
async def test_each_refusal_is_its_union_member(
    err: clients.ServiceError, member: object
) -> None:
    assert await refusing(err)() == member


async def test_not_found_names_the_id_that_was_asked_for() -> None:
    answer = await refusing(clients.NotFound(id="from-the-service"))(id="o1")

    assert answer == NotFound(message="Not found.", id=strawberry.ID("o1"))


async def test_a_refusal_the_union_has_no_member_for_is_raised() -> None:
    @service_errors
    async def cancel(id: str) -> CancelOrderResult:
        raise clients.OutOfStock("p1")

    with pytest.raises(clients.OutOfStock):
        await cancel(id="o1")


async def test_a_bug_is_not_an_outcome() -> None:
    with pytest.raises(clients.UnexpectedServiceError):
        await refusing(clients.UnexpectedServiceError("INTERNAL: boom"))()


# --- fields that return no union: coded field errors -------------------------------


@pytest.mark.parametrize(
    ("err", "code", "extensions"),
    [
        (clients.NotFound(id="o1"), "NOT_FOUND", {}),
        (
            clients.InvalidArgument([clients.FieldProblem("pageToken", "is bad")]),
            "BAD_USER_INPUT",
            {"argument": "pageToken"},
        ),
        (clients.InvalidArgument([]), "BAD_USER_INPUT", {"argument": "input"}),
        (clients.PermissionDenied(), "FORBIDDEN", {}),
        (clients.Unavailable(), "UNAVAILABLE", {}),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
async def test_a_query_fails_its_field_with_a_code(
    err: clients.ServiceError, code: str, extensions: dict[str, str]
) -> None:
    @service_errors
    async def read() -> Order | None:
        raise err

    with pytest.raises(errors.ApiError) as caught:
        await read()

    assert caught.value.extensions == {"code": code, **extensions}
    assert caught.value.__cause__ is err


async def test_a_query_refusal_without_a_code_is_left_to_masking() -> None:
    @service_errors
    async def read() -> Order | None:
        raise clients.OutOfStock("p1")

    with pytest.raises(clients.OutOfStock):
        await read()


def test_every_mutation_answers_refusals_with_its_union() -> None:
    # The result type is read from the annotation on the first refusal; a name
    # that does not resolve would only show then, so check each one now.
    from gateway.graphql.schema import Mutation

    fields = Mutation.__strawberry_definition__.fields
    assert fields
    for field in fields:
        resolver = field.base_resolver.wrapped_func  # type: ignore[union-attr]
        inner = getattr(resolver, "__wrapped__", None)
        assert inner is not None, f"{field.name} is not wrapped in service_errors"
        assert errors._result_union(inner) is not None, field.name
