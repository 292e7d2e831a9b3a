"""Catalog rules: fields, money, quantities, filters; errors name the field."""

from __future__ import annotations

from typing import Any

import pytest

from services.product.domain import (
    Money,
    OutOfStock,
    ProductFilter,
    ValidationError,
    validate_fields,
    validate_filter,
    validate_quantity,
)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        (("", None, None, None, None), "name"),
        (("x" * 201, None, None, None, None), "name"),
        ((None, "d" * 5001, None, None, None), "description"),
        ((None, None, " ", None, None), "category"),
        ((None, None, None, Money(-1, "USD"), None), "price.amount"),
        ((None, None, None, Money(100, "usd"), None), "price.currency"),
        ((None, None, None, None, -1), "stock"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(
    fields: tuple[Any, ...], named: str
) -> None:
    with pytest.raises(ValidationError) as err:
        validate_fields(*fields)
    assert err.value.field == named
    assert err.value.field_violations() == ((named, err.value.message),)


def test_absent_fields_are_not_checked() -> None:
    validate_fields(None, None, None, None, None)
    validate_fields("Mug", "", "kitchen", Money(0, "EUR"), 0)


def test_quantities_must_be_positive() -> None:
    validate_quantity(1)
    with pytest.raises(ValidationError):
        validate_quantity(0)


@pytest.mark.parametrize(
    ("flt", "named"),
    [
        (ProductFilter(min_price=-1), "min_price"),
        (ProductFilter(min_price=10, max_price=5), "min_price"),
        (ProductFilter(search="s" * 101), "search"),
    ],
)
def test_bad_filters_are_refused(flt: ProductFilter, named: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_filter(flt)
    assert err.value.field == named


def test_out_of_stock_states_its_facts() -> None:
    err = OutOfStock("p1", 5, 2)
    assert err.reason == "OUT_OF_STOCK"
    assert err.facts() == {"product_id": "p1", "requested": "5", "available": "2"}
    assert str(err) == "product p1: 5 requested, 2 in stock"
