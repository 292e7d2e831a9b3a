from datetime import UTC, datetime, timedelta

import pytest

from services.order.domain import (
    CurrencyMismatch,
    IllegalTransition,
    LineRequest,
    OrderNotFound,
    OrderStatus,
    OutOfStock,
    Unavailable,
    ValidationError,
)
from services.order.paging import MAX_PAGE, encode_cursor
from tests.unit.order.fakes import World


@pytest.fixture
def world() -> World:
    w = World()
    w.inventory.add("mug", stock=10, cents=1299)
    w.inventory.add("tea", stock=5, cents=450)
    return w


def place(w: World, *items: tuple[str, int], key: str = "k1", user: str = "alice"):
    return w.service.place(
        user, [LineRequest(p, q, i) for i, (p, q) in enumerate(items)], key
    )


def test_placing_reserves_stock_and_stores_a_priced_pending_order(world) -> None:
    order = place(world, ("mug", 3), ("tea", 2))
    assert order.status == OrderStatus.PENDING
    assert order.total.amount == 3 * 1299 + 2 * 450
    assert [(line.product_id, line.quantity) for line in order.lines] == [
        ("mug", 3),
        ("tea", 2),
    ]
    assert world.inventory.stock("mug") == 7
    assert world.service.get(order.id, "alice") == order
    assert world.repo.events == [("order-created", order)]


def test_prices_are_those_at_reservation_time(world) -> None:
    order = place(world, ("mug", 1))
    world.inventory.products["mug"].price = world.inventory.products["tea"].price
    assert world.service.get(order.id, "alice").lines[0].unit_price.amount == 1299


def test_the_same_key_twice_makes_one_order(world) -> None:
    first = place(world, ("mug", 3), key="same")
    second = place(world, ("mug", 3), key="same")
    assert second.id == first.id
    assert world.inventory.stock("mug") == 7
    assert len(world.repo.orders) == 1
    assert len(world.repo.events) == 1


def test_keys_belong_to_a_user(world) -> None:
    a = place(world, ("mug", 1), key="same", user="alice")
    b = place(world, ("mug", 1), key="same", user="bob")
    assert a.id != b.id


def test_a_racing_call_with_the_same_key_returns_the_winner_and_gives_back(
    world,
) -> None:
    def racer() -> None:
        world.repo.before_add = None
        place(world, ("mug", 2), key="race")

    world.repo.before_add = racer
    loser = place(world, ("mug", 2), key="race")
    assert len(world.repo.orders) == 1
    assert loser.id == next(iter(world.repo.orders))
    assert world.inventory.stock("mug") == 8


def test_out_of_stock_releases_the_earlier_lines(world) -> None:
    with pytest.raises(OutOfStock) as err:
        place(world, ("mug", 3), ("tea", 6))
    assert err.value.product_id == "tea"
    assert world.inventory.stock("mug") == 10
    assert world.inventory.stock("tea") == 5
    assert world.repo.orders == {}
    assert world.repo.events == []


def test_an_unknown_product_names_its_item(world) -> None:
    with pytest.raises(ValidationError) as err:
        place(world, ("mug", 1), ("ghost", 1))
    assert err.value.field == "items[1].productId"
    assert world.inventory.stock("mug") == 10


def test_merged_lines_report_their_first_index(world) -> None:
    with pytest.raises(ValidationError) as err:
        place(world, ("mug", 1), ("ghost", 1), ("ghost", 2))
    assert err.value.field == "items[1].productId"


def test_product_service_down_is_unavailable_and_leaves_nothing(world) -> None:
    world.inventory.down = True
    with pytest.raises(Unavailable):
        place(world, ("mug", 1))
    assert world.repo.orders == {}


def test_database_down_after_reserving_gives_the_stock_back(world) -> None:
    world.repo.before_add = lambda: setattr(world.repo, "down", True)
    with pytest.raises(Unavailable):
        place(world, ("mug", 3), ("tea", 1))
    world.repo.down = False
    assert world.inventory.stock("mug") == 10
    assert world.inventory.stock("tea") == 5
    assert world.repo.orders == {}


def test_mixed_currencies_are_refused_and_released(world) -> None:
    world.inventory.add("yen", stock=3, cents=100, cur="JPY")
    with pytest.raises(CurrencyMismatch):
        place(world, ("mug", 1), ("yen", 1))
    assert world.inventory.stock("mug") == 10
    assert world.inventory.stock("yen") == 3


def test_a_failed_compensation_is_stored_and_retried(world) -> None:
    world.inventory.release_down = True
    with pytest.raises(OutOfStock):
        place(world, ("mug", 3), ("tea", 9))
    assert world.inventory.stock("mug") == 7
    assert [p.release.product_id for p in world.repo.pending] == ["mug"]
    world.inventory.release_down = False
    world.releases.retry_all()
    assert world.inventory.stock("mug") == 10
    assert world.repo.pending == []


def test_a_compensation_that_cannot_even_be_stored_does_not_hide_the_error(
    world,
) -> None:
    world.inventory.release_down = True
    world.releases.down = True
    with pytest.raises(OutOfStock):
        place(world, ("mug", 3), ("tea", 9))


def test_invalid_requests_reserve_nothing(world) -> None:
    with pytest.raises(ValidationError):
        place(world, ("mug", 1), ("tea", 0))
    assert world.inventory.stock("mug") == 10


def test_cancelling_restores_stock_and_publishes_the_change(world) -> None:
    order = place(world, ("mug", 3), ("tea", 2))
    cancelled = world.service.cancel(order.id, owner_id="alice")
    assert cancelled.status == OrderStatus.CANCELLED
    assert world.inventory.stock("mug") == 10
    assert world.inventory.stock("tea") == 5
    kind, change = world.repo.events[-1]
    assert kind == "order-status-changed"
    assert (change.before.status, change.after.status) == (
        OrderStatus.PENDING,
        OrderStatus.CANCELLED,
    )


def test_cancelling_twice_releases_once(world) -> None:
    order = place(world, ("mug", 3))
    world.service.cancel(order.id, "alice")
    again = world.service.cancel(order.id, "alice")
    assert again.status == OrderStatus.CANCELLED
    assert world.inventory.stock("mug") == 10
    assert len(world.repo.events) == 2


def test_a_cancel_whose_release_fails_is_still_cancelled_and_retried(world) -> None:
    order = place(world, ("mug", 3))
    world.inventory.release_down = True
    assert world.service.cancel(order.id, "alice").status == OrderStatus.CANCELLED
    assert world.inventory.stock("mug") == 7
    world.inventory.release_down = False
    world.releases.retry_all()
    assert world.inventory.stock("mug") == 10


def test_the_lifecycle_through_update_status(world) -> None:
    order = place(world, ("mug", 1))
    for status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        assert world.service.admin_change_status(order.id, status).status == status
    changes = [c for kind, c in world.repo.events if kind == "order-status-changed"]
    assert [(c.before.status, c.after.status) for c in changes] == [
        (OrderStatus.PENDING, OrderStatus.CONFIRMED),
        (OrderStatus.CONFIRMED, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    ]


def test_a_shipped_order_cannot_be_cancelled(world) -> None:
    order = place(world, ("mug", 2))
    world.service.admin_change_status(order.id, OrderStatus.CONFIRMED)
    world.service.admin_change_status(order.id, OrderStatus.SHIPPED)
    with pytest.raises(IllegalTransition):
        world.service.cancel(order.id, "alice")
    assert world.service.get(order.id, "alice").status == OrderStatus.SHIPPED
    assert world.inventory.stock("mug") == 8


def test_someone_elses_order_does_not_exist(world) -> None:
    order = place(world, ("mug", 2), user="alice")
    with pytest.raises(OrderNotFound):
        world.service.get(order.id, owner_id="mallory")
    with pytest.raises(OrderNotFound):
        world.service.cancel(order.id, owner_id="mallory")
    assert world.service.get(order.id, "alice").status == OrderStatus.PENDING
    assert world.inventory.stock("mug") == 8


def test_an_empty_owner_is_invalid_not_any_owner(world) -> None:
    order = place(world, ("mug", 2), user="alice")
    for order_id in (order.id, "nope"):
        with pytest.raises(ValidationError) as err:
            world.service.get(order_id, "")
        assert err.value.field == "ownerId"
        with pytest.raises(ValidationError):
            world.service.cancel(order_id, "")
    assert world.service.get(order.id, "alice").status == OrderStatus.PENDING
    assert world.inventory.stock("mug") == 8
    assert [kind for kind, _ in world.repo.events] == ["order-created"]


def test_the_admin_methods_reach_any_users_order(world) -> None:
    order = place(world, ("mug", 2), user="alice")
    assert world.service.admin_get(order.id) == order
    cancelled = world.service.admin_change_status(order.id, OrderStatus.CANCELLED)
    assert cancelled.status == OrderStatus.CANCELLED
    assert world.inventory.stock("mug") == 10


def test_unknown_orders_are_not_found(world) -> None:
    for order_id in ("", "nope"):
        with pytest.raises(OrderNotFound):
            world.service.get(order_id, "alice")
        with pytest.raises(OrderNotFound):
            world.service.admin_get(order_id)
        with pytest.raises(OrderNotFound):
            world.service.cancel(order_id, "alice")


def _backdate(world: World, order_id: str, minutes: int) -> None:
    order = world.repo.orders[order_id]
    moment = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    world.repo.orders[order_id] = order.__class__(
        **{**order.__dict__, "created_at": moment}
    )


def test_listing_pages_newest_first_without_gaps_or_repeats(world) -> None:
    ids = [place(world, ("tea", 1), key=f"k{i}").id for i in range(5)]
    for minute, order_id in enumerate(ids):
        _backdate(world, order_id, minute // 2)  # equal times: id breaks the tie
    place(world, ("mug", 1), key="bob", user="bob")
    seen, token = [], ""
    while True:
        page = world.service.list_for_user("alice", 2, token)
        seen += [o.id for o in page.orders]
        token = page.next_token
        if not token:
            break
    expected = sorted(
        ids,
        key=lambda i: (world.repo.orders[i].created_at, i),
        reverse=True,
    )
    assert seen == expected


def test_page_sizes_default_and_are_capped(world) -> None:
    world.inventory.add("lots", stock=1000)
    for i in range(MAX_PAGE + 5):
        place(world, ("lots", 1), key=f"k{i}")
    assert len(world.service.list_for_user("alice", 0, "").orders) == 20
    capped = world.service.list_for_user("alice", 1000, "")
    assert len(capped.orders) == MAX_PAGE
    assert capped.next_token


def test_bad_listing_input_is_invalid(world) -> None:
    order = place(world, ("mug", 1))
    for token in ("garbage!", "bm90IGpzb24", encode_cursor(order)[:-3]):
        with pytest.raises(ValidationError) as err:
            world.service.list_for_user("alice", 10, token)
        assert err.value.field == "pageToken"
    with pytest.raises(ValidationError):
        world.service.list_for_user("", 10, "")
    with pytest.raises(ValidationError):
        world.service.list_for_user("alice", -1, "")


def test_backward_pages_hold_the_same_orders_in_the_same_order(world) -> None:
    ids = [place(world, ("tea", 1), key=f"k{i}").id for i in range(5)]
    for minute, order_id in enumerate(ids):
        _backdate(world, order_id, minute // 2)  # equal times: id breaks the tie
    place(world, ("mug", 1), key="bob", user="bob")
    forward = [o.id for o in world.service.list_for_user("alice", 10, "").orders]
    pages, token = [], ""
    while True:
        page = world.service.list_for_user("alice", 2, token, backward=True)
        pages.insert(0, [o.id for o in page.orders])
        token = page.next_token
        if not token:
            break
    assert pages == [forward[:1], forward[1:3], forward[3:]]


def test_a_backward_token_marks_the_position_just_before_its_page(world) -> None:
    for i in range(5):
        place(world, ("tea", 1), key=f"k{i}")
    everything = [o.id for o in world.service.list_for_user("alice", 10, "").orders]
    end = world.service.list_for_user("alice", 2, "", backward=True)
    assert [o.id for o in end.orders] == everything[3:]
    after = world.service.list_for_user("alice", 10, end.next_token)
    assert [o.id for o in after.orders] == everything[3:]
    # A forward token read backward: its page's own orders, up to its position.
    head = world.service.list_for_user("alice", 2, "")
    back = world.service.list_for_user("alice", 5, head.next_token, backward=True)
    assert [o.id for o in back.orders] == everything[:2]
    assert back.next_token == ""
