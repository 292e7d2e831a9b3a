"""The Mongo repository's page cursors (the queries themselves run in integration)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.product.adapters.repository import decode_cursor, encode_cursor
from services.product.domain import Money, Product, ValidationError


def test_a_cursor_comes_back_as_the_position_it_names() -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    product = Product("p-1", "Mug", "", "kitchen", Money(1, "USD"), 1, at, at)
    assert decode_cursor(encode_cursor(product)) == (at, "p-1")


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzEsMl0"])
def test_a_cursor_we_did_not_issue_names_the_page_token(cursor: str) -> None:
    with pytest.raises(ValidationError) as err:
        decode_cursor(cursor)
    assert err.value.field == "page_token"
