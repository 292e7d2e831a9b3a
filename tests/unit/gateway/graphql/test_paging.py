"""Relay paging over the services' page tokens: forward and backward walks
agree, every cursor pages both ways, and bad arguments are refused."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from gateway import clients
from gateway.graphql.errors import BadUserInput
from gateway.graphql.paging import (
    PageArgs,
    PageSlice,
    decode_cursor,
    encode_cursor,
    page_args,
    read_page,
)
from tests.unit.gateway.fake_pages import offset_page

ITEMS = [f"i{n:02}" for n in range(23)]


class Service:
    """A list served in pages of at most `cap`, counting its reads."""

    def __init__(self, items: list[str] = ITEMS, cap: int = 100) -> None:
        self.items, self.cap, self.reads = items, cap, 0

    async def fetch(self, size: int, token: str, backward: bool) -> clients.Page[str]:
        self.reads += 1
        return offset_page(self.items, size, token, backward, self.cap)


def read(
    service: Service,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageSlice[str]:
    args = page_args(first, after, last, before, 20, 100)
    return asyncio.run(read_page(args, service.fetch))


def items(window: PageSlice[str]) -> list[str]:
    return [item for _, item in window.edges]


def flat(pages: list[PageSlice[str]]) -> list[str]:
    return [item for page in pages for item in items(page)]


def walk_forward(service: Service, size: int) -> list[PageSlice[str]]:
    pages = [read(service, first=size)]
    while pages[-1].has_next_page:
        pages.append(read(service, first=size, after=pages[-1].end_cursor))
    return pages


def walk_backward(service: Service, size: int) -> list[PageSlice[str]]:
    pages = [read(service, last=size)]
    while pages[0].has_previous_page:
        pages.insert(0, read(service, last=size, before=pages[0].start_cursor))
    return pages


@pytest.mark.parametrize("size", [1, 2, 5, 7, 23, 100])
def test_walking_backward_meets_the_same_items_in_the_same_order(size: int) -> None:
    service = Service()
    forward = walk_forward(service, size)
    backward = walk_backward(service, size)
    assert flat(forward) == ITEMS
    assert flat(backward) == ITEMS
    assert not forward[0].has_previous_page and not forward[-1].has_next_page
    assert not backward[0].has_previous_page and not backward[-1].has_next_page
    assert all(page.has_next_page for page in forward[:-1] + backward[:-1])
    assert all(page.has_previous_page for page in forward[1:] + backward[1:])
    assert all(len(items(page)) == size for page in backward[1:])


def every_cursor(service: Service) -> list[tuple[str, str]]:
    """The cursors forward pages of every size hand out, with their item."""
    edges = {}
    for size in (1, 2, 3, 5, 8):
        for page in walk_forward(service, size) + walk_backward(service, size):
            edges.update(page.edges)
    return list(edges.items())


@pytest.mark.parametrize("count", [1, 2, 4, 9])
def test_any_cursor_pages_backward_to_the_items_just_before_it(count: int) -> None:
    service = Service()
    for cursor, item in every_cursor(service):
        at = ITEMS.index(item)
        window = read(service, last=count, before=cursor)
        assert items(window) == ITEMS[max(0, at - count) : at], cursor
        assert window.has_previous_page == (at > count), cursor
        assert window.has_next_page


@pytest.mark.parametrize("count", [1, 3, 9])
def test_any_cursor_pages_forward_to_the_items_just_after_it(count: int) -> None:
    service = Service()
    for cursor, item in every_cursor(service):
        at = ITEMS.index(item)
        window = read(service, first=count, after=cursor)
        assert items(window) == ITEMS[at + 1 : at + 1 + count], cursor
        assert window.has_next_page == (at + 1 + count < len(ITEMS)), cursor
        assert window.has_previous_page


def test_a_page_cursor_read_again_names_the_same_edge() -> None:
    service = Service()
    window = read(service, last=4, before=read(service, first=9).end_cursor)
    assert items(window) == ITEMS[4:8]
    for cursor, item in window.edges:
        assert items(read(service, first=1, after=cursor)) == [
            ITEMS[ITEMS.index(item) + 1]
        ]


def test_last_alone_is_the_end_of_the_list() -> None:
    window = read(Service(), last=3)
    assert items(window) == ITEMS[-3:]
    assert window.has_previous_page and not window.has_next_page
    assert items(read(Service(), before=read(Service()).start_cursor)) == []


def test_a_cursor_beyond_a_capped_service_page_still_pages_forward() -> None:
    service = Service(cap=5)
    back = walk_backward(service, 5)
    assert flat(back) == ITEMS
    # The end cursor of a backward page is index 4 after its position, and the
    # service gives at most 5: the read goes on from the service's next token.
    middle = back[1]
    window = read(service, first=5, after=middle.end_cursor)
    assert items(window) == items(back[2])


def test_the_forward_cursor_form_is_unchanged() -> None:
    service = Service()
    first = read(service, first=2)
    assert [cursor for cursor, _ in first.edges] == [
        encode_cursor("", 0),
        encode_cursor("2", -1),
    ]
    assert decode_cursor(encode_cursor("tok", 7)) == ("tok", 7)


@pytest.mark.parametrize("token", ["", "2", "tok", 'a"b\\c', "é€😀\n\t\x00"])
@pytest.mark.parametrize("index", [-1, 0, 7, 1000])
def test_cursors_are_the_bytes_clients_already_hold(token: str, index: int) -> None:
    """The base64 of json.dumps([token, index]) without spaces, as issued
    before cursors were built without the json module."""
    raw = json.dumps([token, index], separators=(",", ":")).encode()
    issued = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    assert encode_cursor(token, index) == issued
    assert decode_cursor(issued) == (token, index)


@pytest.mark.parametrize(
    ("first", "after", "last", "before", "argument"),
    [
        (2, None, 2, None, "last"),
        (None, "x", None, "y", "before"),
        (2, None, None, "y", "before"),
        (None, "x", 2, None, "after"),
        (-1, None, None, None, "first"),
        (0, None, None, None, "first"),
        (101, None, None, None, "first"),
        (None, None, -1, None, "last"),
        (None, None, 0, None, "last"),
        (None, None, 101, None, "last"),
        (None, None, 2, "not a cursor", "before"),
        (None, None, None, encode_cursor("t", 1001), "before"),
    ],
)
def test_bad_paging_arguments_are_bad_user_input(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    argument: str,
) -> None:
    with pytest.raises(BadUserInput) as err:
        page_args(first, after, last, before, 20, 100)
    assert err.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}


def test_arguments_pick_the_direction_and_default_size() -> None:
    assert page_args(None, None, None, None, 20, 100) == PageArgs(20, None)
    assert page_args(None, "", None, "", 20, 100) == PageArgs(20, None)
    cursor = encode_cursor("t", 3)
    assert page_args(None, None, None, cursor, 20, 100) == PageArgs(
        20, ("t", 3), backward=True
    )
    assert page_args(None, None, 5, None, 20, 100) == PageArgs(5, None, True)
