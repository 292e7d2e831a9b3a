"""Types and helpers every domain of the schema shares: money, the Long scalar,
Relay page info and cursors, page-size limits."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, NewType, TypeVar

import strawberry
from graphql import GraphQLError

from gateway import clients
from gateway.graphql.errors import BadUserInput

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
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = strawberry.field(
        default=False,
        description="True when the page was asked `after` a cursor (Relay allows "
        "that answer; backward paging with `last`/`before` is not offered).",
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


# --- Relay pagination over the services' page tokens ---------------------------------
#
# The services page with an opaque token per page, Relay wants a cursor per
# edge. An edge's cursor is (token of the page it came from, its index there);
# the last edge of a page that has a next one gets (next token, -1), so
# following `endCursor` costs one plain page read.


def encode_cursor(token: str, index: int) -> str:
    raw = json.dumps([token, index], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        token, index = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise BadUserInput("after", "is not a cursor this API issued") from None
    if (
        not isinstance(token, str)
        or isinstance(index, bool)
        or not isinstance(index, int)
    ):
        raise BadUserInput("after", "is not a cursor this API issued")
    if index < -1 or index > 1000:
        raise BadUserInput("after", "is not a cursor this API issued")
    return token, index


@dataclass(frozen=True)
class PageRequest:
    """What to ask the service: `size` items from `token`, dropping `skip`."""

    token: str
    skip: int
    first: int

    @property
    def size(self) -> int:
        return self.skip + self.first


def page_request(
    first: int | None, after: str | None, default_size: int, max_size: int
) -> PageRequest:
    size = default_size if first is None else first
    if size < 1 or size > max_size:
        raise BadUserInput("first", f"must be between 1 and {max_size}")
    if after is None or after == "":
        return PageRequest("", 0, size)
    token, index = decode_cursor(after)
    return PageRequest(token, index + 1, size)


@dataclass(frozen=True)
class PageSlice(Generic[T]):
    edges: list[tuple[str, T]]
    has_next_page: bool
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0][0] if self.edges else None

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1][0] if self.edges else None


def page_slice(
    request: PageRequest, items: Sequence[T], next_token: str
) -> PageSlice[T]:
    edges: list[tuple[str, T]] = []
    last = len(items) - 1
    for index in range(request.skip, min(len(items), request.size)):
        if index == last and next_token:
            cursor = encode_cursor(next_token, -1)
        else:
            cursor = encode_cursor(request.token, index)
        edges.append((cursor, items[index]))
    more = bool(next_token) or len(items) > request.size
    after = bool(request.token) or request.skip > 0
    return PageSlice(edges, more, has_previous_page=after)
