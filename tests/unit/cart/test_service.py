"""The cart's use cases: lines, limits, stock, and concurrent changes."""

from __future__ import annotations

import pytest

from services.cart.domain import (
    ConcurrentUpdate,
    OutOfStock,
    ProductNotFound,
    ValidationError,
    now,
)
from tests.unit.cart.fakes import World


@pytest.fixture
def world() -> World:
    return World()


def lines(world: World, user: str = "alice") -> list[tuple[str, int]]:
    return [(x.product_id, x.quantity) for x in world.service.get(user).lines]


def test_an_unknown_user_has_an_empty_cart(world: World) -> None:
    cart = world.service.get("nobody")
    assert cart.lines == () and cart.updated_at is None


def test_adding_twice_adds_up_and_keeps_the_first_order(world: World) -> None:
    world.service.add("alice", "mug", 1)
    world.service.add("alice", "tea", 2)
    world.service.add("alice", "mug", 2)
    assert lines(world) == [("mug", 3), ("tea", 2)]
    assert world.store.ttls["alice"] == 3600


def test_carts_are_per_user(world: World) -> None:
    world.service.add("alice", "mug", 1)
    assert lines(world, "bob") == []


def test_set_quantity_replaces_and_remove_drops_the_line(world: World) -> None:
    world.service.add("alice", "mug", 1)
    world.service.add("alice", "tea", 1)
    world.service.set_quantity("alice", "mug", 4)
    assert lines(world) == [("mug", 4), ("tea", 1)]
    world.service.remove("alice", "mug")
    assert lines(world) == [("tea", 1)]
    world.service.remove("alice", "mug")  # not there: no error
    world.service.remove("alice", "tea")
    assert "alice" not in world.store.carts  # an emptied cart is forgotten


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantities_of_zero_or_less_are_refused(world: World, quantity: int) -> None:
    for change in (world.service.add, world.service.set_quantity):
        with pytest.raises(ValidationError) as err:
            change("alice", "tea", quantity)
        assert err.value.field == "quantity"
    assert lines(world) == []


def test_a_line_holds_at_most_the_per_line_limit(world: World) -> None:
    world.service.add("alice", "tea", 10)
    with pytest.raises(ValidationError) as err:
        world.service.add("alice", "tea", 1)
    assert err.value.field == "quantity"
    assert "at most 10" in err.value.message
    with pytest.raises(ValidationError):
        world.service.set_quantity("alice", "tea", 11)
    assert lines(world) == [("tea", 10)]


def test_more_than_in_stock_is_refused_with_what_is_left(world: World) -> None:
    world.service.add("alice", "mug", 3)
    with pytest.raises(OutOfStock) as err:
        world.service.add("alice", "mug", 3)
    assert (err.value.product_id, err.value.requested, err.value.available) == (
        "mug",
        6,
        5,
    )
    with pytest.raises(OutOfStock):
        world.service.set_quantity("alice", "mug", 6)
    assert lines(world) == [("mug", 3)]


def test_an_unknown_product_is_refused(world: World) -> None:
    with pytest.raises(ProductNotFound) as err:
        world.service.add("alice", "ghost", 1)
    assert err.value.facts() == {"resource": "product", "id": "ghost"}


def test_ids_are_required(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        world.service.add("", "mug", 1)
    assert err.value.field == "userId"
    with pytest.raises(ValidationError) as err:
        world.service.add("alice", "", 1)
    assert err.value.field == "productId"


def test_a_concurrent_change_is_kept_and_the_change_made_again(world: World) -> None:
    world.service.add("alice", "mug", 1)
    cart, etag = world.store.load("alice")

    def someone_else_adds_tea() -> None:
        world.store.save(cart.with_quantity("tea", 2, now()), etag, 3600)

    world.store.before_write = someone_else_adds_tea
    world.service.add("alice", "mug", 1)
    assert world.store.refused == 1
    assert lines(world) == [("mug", 2), ("tea", 2)]


def test_a_cart_that_keeps_moving_gives_up_with_a_conflict(world: World) -> None:
    class Moving:
        def __getattr__(self, name: str) -> object:
            return getattr(world.store, name)

        def save(self, *_: object) -> None:
            raise ConcurrentUpdate("alice")

    world.service._store = Moving()  # type: ignore[assignment]
    with pytest.raises(ConcurrentUpdate):
        world.service.add("alice", "mug", 1)


def test_clear_empties_the_cart(world: World) -> None:
    world.service.add("alice", "mug", 1)
    assert world.service.clear("alice").lines == ()
    assert lines(world) == []
