from datetime import UTC, datetime

import pytest

from services.order.domain import (
    CurrencyMismatch,
    IllegalTransition,
    LineRequest,
    Money,
    OrderStatus,
    Reservation,
    StockRelease,
    ValidationError,
    new_order,
    require_owner,
    validate_placement,
)

S = OrderStatus


def field_of(call) -> str:
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.field


def test_a_valid_request_keeps_its_lines_in_order() -> None:
    lines = validate_placement("u1", [LineRequest("a", 1), LineRequest("b", 2)], "k")
    assert [(x.product_id, x.quantity, x.index) for x in lines] == [
        ("a", 1, 0),
        ("b", 2, 1),
    ]


@pytest.mark.parametrize(
    ("user", "items", "key", "field"),
    [
        ("", [LineRequest("a", 1)], "k", "userId"),
        ("u", [LineRequest("a", 1)], "", "idempotencyKey"),
        ("u", [LineRequest("a", 1)], "   ", "idempotencyKey"),
        ("u", [LineRequest("a", 1)], "k" * 129, "idempotencyKey"),
        ("u", [], "k", "items"),
        ("u", [LineRequest(f"p{i}", 1) for i in range(51)], "k", "items"),
        ("u", [LineRequest("a", 1), LineRequest("b", 0)], "k", "items[1].quantity"),
        ("u", [LineRequest("a", -3)], "k", "items[0].quantity"),
        ("u", [LineRequest("a", 1), LineRequest("", 1)], "k", "items[1].productId"),
    ],
)
def test_bad_requests_name_the_field(user, items, key, field) -> None:
    assert field_of(lambda: validate_placement(user, items, key)) == field


def test_limits_are_inclusive() -> None:
    lines = [LineRequest(f"p{i}", 1) for i in range(50)]
    assert len(validate_placement("u", lines, "k" * 128)) == 50


def test_the_same_product_twice_is_merged_into_its_first_line() -> None:
    lines = validate_placement(
        "u",
        [LineRequest("a", 1), LineRequest("b", 1), LineRequest("a", 2)],
        "k",
    )
    assert [(x.product_id, x.quantity, x.index) for x in lines] == [
        ("a", 3, 0),
        ("b", 1, 1),
    ]


def test_merged_quantities_are_bounded() -> None:
    items = [LineRequest("a", 6000), LineRequest("a", 6000)]
    assert field_of(lambda: validate_placement("u", items, "k")) == "items[1].quantity"


def reservation(pid: str, qty: int, cents: int, cur: str = "USD") -> Reservation:
    return Reservation(pid, qty, f"name {pid}", Money(cents, cur))


def test_a_new_order_is_pending_and_priced_from_its_reservations() -> None:
    at = datetime(2025, 1, 2, tzinfo=UTC)
    order = new_order(
        "o1", "u1", "k", [reservation("a", 3, 1299), reservation("b", 1, 1)], at
    )
    assert order.status == S.PENDING
    assert order.total == Money(3 * 1299 + 1, "USD")
    assert [line.product_name for line in order.lines] == ["name a", "name b"]
    assert order.created_at == order.updated_at == at


def test_lines_in_different_currencies_are_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        new_order(
            "o", "u", "k", [reservation("a", 1, 1), reservation("b", 1, 1, "EUR")]
        )


def test_an_absurd_total_is_refused() -> None:
    with pytest.raises(ValidationError):
        new_order("o", "u", "k", [reservation("a", 10_000, 2**62)])


def order_in(status: OrderStatus):
    order = new_order("o", "u", "k", [reservation("a", 2, 5), reservation("b", 1, 5)])
    return (
        order
        if status == S.PENDING
        else order.__class__(**{**order.__dict__, "status": status})
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.PENDING, S.CONFIRMED),
        (S.CONFIRMED, S.SHIPPED),
        (S.SHIPPED, S.DELIVERED),
        (S.PENDING, S.CANCELLED),
        (S.CONFIRMED, S.CANCELLED),
    ],
)
def test_the_lifecycle_moves_forward(old, new) -> None:
    change = order_in(old).transition(new)
    assert change.changed
    assert (change.before.status, change.after.status) == (old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.PENDING, S.SHIPPED),
        (S.PENDING, S.DELIVERED),
        (S.CONFIRMED, S.PENDING),
        (S.SHIPPED, S.CANCELLED),
        (S.SHIPPED, S.CONFIRMED),
        (S.DELIVERED, S.CANCELLED),
        (S.CANCELLED, S.PENDING),
        (S.CANCELLED, S.CONFIRMED),
    ],
)
def test_illegal_transitions_are_refused(old, new) -> None:
    with pytest.raises(IllegalTransition):
        order_in(old).transition(new)


def test_cancelling_gives_back_every_line() -> None:
    change = order_in(S.CONFIRMED).transition(S.CANCELLED)
    assert change.releases == (StockRelease("a", 2), StockRelease("b", 1))


def test_other_changes_release_nothing() -> None:
    assert order_in(S.PENDING).transition(S.CONFIRMED).releases == ()


def test_asking_for_the_current_status_changes_nothing() -> None:
    change = order_in(S.CANCELLED).transition(S.CANCELLED)
    assert not change.changed
    assert change.releases == ()


def test_an_order_is_owned_by_its_user_only() -> None:
    order = order_in(S.PENDING)
    assert order.owned_by("u") and not order.owned_by("x")


def test_an_empty_owner_is_invalid_never_anyone() -> None:
    assert field_of(lambda: order_in(S.PENDING).owned_by("")) == "ownerId"
    assert field_of(lambda: require_owner("")) == "ownerId"
    assert require_owner("u") == "u"
