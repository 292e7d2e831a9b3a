"""Pages over an in-memory list the way the services page: a token marks a
position (here: the index of the item just after it), in either direction."""

from __future__ import annotations

from typing import TypeVar

from gateway import clients

T = TypeVar("T")


def offset_page(
    items: list[T], page_size: int, page_token: str, backward: bool, cap: int = 100
) -> clients.Page[T]:
    size = min(page_size or 20, cap)
    if not backward:
        start = int(page_token or 0)
        more = start + size < len(items)
        return clients.Page(
            items[start : start + size], str(start + size) if more else ""
        )
    end = int(page_token) if page_token else len(items)
    start = max(0, end - size)
    return clients.Page(items[start:end], str(start) if start > 0 else "")
