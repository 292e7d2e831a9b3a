"""Types every domain of the schema shares: money, the Long scalar, Relay page
info (the paging itself is in `paging`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NewType, TypeVar

import strawberry
from graphql import GraphQLError

from gateway import clients
from gateway.graphql.paging import PageSlice

T = TypeVar("T")

MAX_SAFE_INTEGER = 2**53 - 1  # what a JavaScript client can hold exactly


def _long(value: object) -> int:
    # GraphQLError, not ValueError: graphql-core then reports it as the
    # client's mistake instead of wrapping an exception (which is masked).
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphQLError(f"Long cannot represent {value!r}")
    if abs(value) > MAX_SAFE_INTEGER:
        raise GraphQLError("Long must be within ±(2^53 - 1)")
    return value


if TYPE_CHECKING:
    Long = int
else:
    Long = strawberry.scalar(
        NewType("Long", int),
        name="Long",
        description="An integer within ±(2^53 - 1), e.g. an amount in minor units.",
        serialize=_long,
        parse_value=_long,
    )


@strawberry.type(description="An amount in minor units (cents) and its currency.")
class Money:
    amount: Long = strawberry.field(description="In minor units, e.g. cents.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")

    @classmethod
    def from_domain(cls, money: clients.Money) -> Money:
        return cls(amount=Long(money.amount), currency=money.currency)


@strawberry.input(description="An amount in minor units (cents) and its currency.")
class MoneyInput:
    amount: Long
    currency: str

    def to_domain(self) -> clients.Money:
        return clients.Money(int(self.amount), self.currency.strip().upper())


@strawberry.type
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More edges follow the last one. Paging backward: true when "
        "asked `before` a cursor (Relay allows that answer)."
    )
    end_cursor: str | None
    has_previous_page: bool = strawberry.field(
        default=False,
        description="More edges come before the first one. Paging forward: true "
        "when asked `after` a cursor (Relay allows that answer).",
    )
    start_cursor: str | None = None

    @classmethod
    def of(cls, window: PageSlice[T]) -> PageInfo:
        return cls(
            has_next_page=window.has_next_page,
            end_cursor=window.end_cursor,
            has_previous_page=window.has_previous_page,
            start_cursor=window.start_cursor,
        )
