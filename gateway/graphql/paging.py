"""Relay cursor connections over the services' page tokens, in both directions.

A service lists newest first and pages with an opaque token that marks a
position in that list (just after the last item of the page that returned
it); it reads `size` items after a position, or, backward, the `size` just
before it (the end of the list when the token is empty) and then returns the
position before them. Relay wants a cursor per edge: an edge's cursor is
(a position, the edge's index after it). The last edge of a forward page that
has a next one gets (next token, -1): the item just before that position, so
following `endCursor` costs one plain page read. Edges of a backward page are
counted from the position the service returned before them.

`first`/`after` page forward, `last`/`before` backward (the same order either
way); mixing the two directions is refused as bad input.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Generic, TypeVar

from gateway import clients
from gateway.graphql.errors import BadUserInput

T = TypeVar("T")

# (page size, service token, backward) -> one page from the service
Fetch = Callable[[int, str, bool], Awaitable[clients.Page[T]]]

MAX_INDEX = 1000

HOW_TO_PAGE = (
    "`first`/`after` page forward, `last`/`before` backward (same order); "
    "`first` and `last` are at most 100 and cannot be mixed."
)


def encode_cursor(token: str, index: int) -> str:
    # Byte for byte json.dumps([token, index], separators=(",", ":")), without
    # making an encoder per edge.
    raw = f"[{encode_basestring_ascii(token)},{int(index)}]".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str = "after") -> tuple[str, int]:
    refused = BadUserInput(argument, "is not a cursor this API issued")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        token, index = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise refused from None
    if (
        not isinstance(token, str)
        or isinstance(index, bool)
        or not isinstance(index, int)
    ):
        raise refused
    if index < -1 or index > MAX_INDEX:
        raise refused
    return token, index


@dataclass(frozen=True)
class PageArgs:
    """A connection's arguments, checked: `size` edges after `position` (the
    start when None), or, `backward`, the `size` edges just before it (the
    end when None)."""

    size: int
    position: tuple[str, int] | None
    backward: bool = False


def page_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
    max_size: int,
) -> PageArgs:
    after, before = after or None, before or None
    if first is not None and last is not None:
        raise BadUserInput("last", "cannot be used with `first`")
    if after is not None and before is not None:
        raise BadUserInput("before", "cannot be used with `after`")
    if first is not None and before is not None:
        raise BadUserInput("before", "pages backward: use it with `last`")
    if last is not None and after is not None:
        raise BadUserInput("after", "pages forward: use it with `first`")
    backward = last is not None or before is not None
    name, count = ("last", last) if backward else ("first", first)
    size = default_size if count is None else count
    if size < 1 or size > max_size:
        raise BadUserInput(name, f"must be between 1 and {max_size}")
    if backward:
        position = decode_cursor(before, "before") if before else None
    else:
        position = decode_cursor(after, "after") if after else None
    return PageArgs(size, position, backward)


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


async def read_page(args: PageArgs, fetch: Fetch[T]) -> PageSlice[T]:
    """The edges `args` ask for, read from the service with `fetch`."""
    if args.backward:
        return await _backward(args.size, args.position, fetch)
    token, index = args.position or ("", -1)
    return await _forward(token, index + 1, args.size, fetch)


async def _forward(token: str, skip: int, first: int, fetch: Fetch[T]) -> PageSlice[T]:
    """`first` edges after the `skip` items that follow `token`."""
    page = await fetch(skip + first, token, False)
    while 0 < len(page.items) <= skip and page.next_token:
        # The service capped the page before the cursor: go on from its end.
        token, skip = page.next_token, skip - len(page.items)
        page = await fetch(skip + first, token, False)
    edges: list[tuple[str, T]] = []
    items, next_token = page.items, page.next_token
    last = len(items) - 1
    for index in range(skip, min(len(items), skip + first)):
        if index == last and next_token:
            cursor = encode_cursor(next_token, -1)
        else:
            cursor = encode_cursor(token, index)
        edges.append((cursor, items[index]))
    more = bool(next_token) or len(items) > skip + first
    return PageSlice(edges, more, has_previous_page=bool(token) or skip > 0)


async def _backward(
    last: int, position: tuple[str, int] | None, fetch: Fetch[T]
) -> PageSlice[T]:
    """`last` edges just before the edge at `position` (the end when None).

    Before edge (token, index) come the items before `token`'s position, then
    the first `index` items after it; index -1 is the item just before it.
    """
    if position is None:
        page = await fetch(last, "", True)
        edges = _edges(page.next_token, page.items)
        return PageSlice(edges, False, has_previous_page=bool(page.next_token))
    token, index = position
    if index >= last:  # all of them lie after the token
        items = (await fetch(index, token, False)).items[:index]
        start = max(0, len(items) - last)
        edges = _edges(token, items[start:], start)
        return PageSlice(edges, True, has_previous_page=bool(token) or start > 0)
    head: list[tuple[str, T]] = []
    if index > 0:
        head = _edges(token, (await fetch(index, token, False)).items[:index])
    if not token:  # the start of the list: nothing comes before
        return PageSlice(head, True, has_previous_page=False)
    page = await fetch(last - index, token, True)
    # Index -1: the page ends with the cursor's own item, which is not wanted.
    items = page.items[:-1] if index < 0 else page.items
    tail = _edges(page.next_token, items)
    return PageSlice(tail + head, True, has_previous_page=bool(page.next_token))


def _edges(token: str, items: Sequence[T], start: int = 0) -> list[tuple[str, T]]:
    return [(encode_cursor(token, start + n), item) for n, item in enumerate(items)]
