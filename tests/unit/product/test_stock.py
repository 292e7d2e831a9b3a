"""Stock use cases over fake ports: reservations keyed by the caller's id,
idempotent reserve/commit/release, expiry, and the stock balance they keep."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from services.product.domain import (
    Money,
    NotFound,
    OutOfStock,
    Product,
    ReservationClosed,
    ReservationNotFound,
    ReservationState,
    Unavailable,
    ValidationError,
)
from services.product.stock import StockService
from tests.unit.product.fakes import (
    FakeProductEvents,
    FakeProductRepository,
    FakeReservations,
    FakeStockLock,
)


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


class World:
    def __init__(self) -> None:
        self.products = FakeProductRepository()
        self.reservations = FakeReservations()
        self.lock = FakeStockLock()
        self.events = FakeProductEvents()
        self.clock = Clock()
        self.stock = StockService(
            self.products,
            self.reservations,
            self.lock,
            self.events,
            reservation_ttl=timedelta(minutes=15),
            clock=self.clock,
        )

    def add(self, stock: int) -> str:
        product = Product("p-1", "Mug", "", "kitchen", Money(1299, "USD"), stock)
        self.products.insert(product)
        return product.id

    def available(self, product_id: str) -> int:
        product = self.products.get(product_id)
        assert product is not None
        return product.stock

    def assert_balanced(self, product_id: str, received: int) -> None:
        units = self.reservations.balance(product_id)
        held = units[ReservationState.RESERVED] + units[ReservationState.COMMITTED]
        assert self.available(product_id) + held == received


@pytest.fixture
def world() -> World:
    return World()


def test_a_reservation_takes_stock_once_however_often_it_is_sent(
    world: World,
) -> None:
    pid = world.add(5)
    for _ in range(3):
        assert world.stock.reserve("r-1", pid, 3).stock == 2
    assert world.available(pid) == 2
    assert world.events.sent == [("stock", pid, 2)]  # announced once
    assert world.lock.held == [pid] * 3
    world.assert_balanced(pid, 5)


def test_a_release_gives_back_once_and_a_commit_is_a_no_op_when_repeated(
    world: World,
) -> None:
    pid = world.add(5)
    world.stock.reserve("r-1", pid, 3)
    for _ in range(2):
        world.stock.commit("r-1", pid)
    assert world.reservations.rows["r-1"].state is ReservationState.COMMITTED
    world.assert_balanced(pid, 5)
    for _ in range(2):
        assert world.stock.release("r-1", pid).stock == 5
    world.assert_balanced(pid, 5)


def test_reserving_more_than_is_left_says_how_many_are_and_records_nothing(
    world: World,
) -> None:
    pid = world.add(2)
    with pytest.raises(OutOfStock) as err:
        world.stock.reserve("r-1", pid, 3)
    assert (err.value.requested, err.value.available) == (3, 2)
    assert world.reservations.rows == {} and world.events.sent == []


def test_bad_input_and_unknown_things_are_refused(world: World) -> None:
    pid = world.add(2)
    with pytest.raises(NotFound):
        world.stock.reserve("r-1", "ghost", 1)
    with pytest.raises(ValidationError):
        world.stock.reserve("r-1", pid, 0)
    with pytest.raises(ValidationError):
        world.stock.reserve("", pid, 1)
    with pytest.raises(ValidationError):
        world.stock.reserve("r" * 129, pid, 1)
    with pytest.raises(ReservationNotFound):
        world.stock.commit("r-9", pid)


def test_an_id_reused_for_another_product_or_quantity_is_refused(
    world: World,
) -> None:
    pid = world.add(5)
    world.products.insert(Product("p-2", "Cup", "", "k", Money(1, "USD"), 5))
    world.stock.reserve("r-1", pid, 2)
    with pytest.raises(ValidationError):
        world.stock.reserve("r-1", pid, 3)
    with pytest.raises(ValidationError):
        world.stock.reserve("r-1", "p-2", 2)
    assert world.available(pid) == 3 and world.available("p-2") == 5


def test_a_release_that_overtakes_its_reserve_makes_the_reserve_fail(
    world: World,
) -> None:
    pid = world.add(5)
    assert world.stock.release("r-1", pid).stock == 5  # reserve timed out
    with pytest.raises(ReservationClosed):
        world.stock.reserve("r-1", pid, 2)  # ...and arrives late
    assert world.available(pid) == 5
    world.assert_balanced(pid, 5)


def test_the_sweep_releases_what_was_not_committed_in_time(world: World) -> None:
    pid = world.add(5)
    world.stock.reserve("abandoned", pid, 2)
    world.stock.reserve("placed", pid, 1)
    world.stock.commit("placed", pid)
    world.clock.at += timedelta(minutes=14)
    assert world.stock.release_expired() == 0
    world.clock.at += timedelta(minutes=2)
    assert world.stock.release_expired() == 1
    assert world.reservations.rows["abandoned"].state is ReservationState.RELEASED
    assert world.reservations.rows["placed"].state is ReservationState.COMMITTED
    assert world.available(pid) == 4
    world.assert_balanced(pid, 5)
    assert world.stock.release_expired() == 0


def test_a_late_commit_takes_the_stock_again_if_it_is_still_there(
    world: World,
) -> None:
    pid = world.add(3)
    world.stock.reserve("late", pid, 2)
    world.clock.at += timedelta(hours=1)
    world.stock.release_expired()
    assert world.stock.commit("late", pid).stock == 1
    world.assert_balanced(pid, 3)
    world.stock.reserve("other", pid, 1)
    assert world.available(pid) == 0
    world.assert_balanced(pid, 3)


def test_a_late_commit_is_refused_when_the_stock_was_sold_since(
    world: World,
) -> None:
    pid = world.add(2)
    world.stock.reserve("late", pid, 2)
    world.clock.at += timedelta(hours=1)
    world.stock.release_expired()
    world.stock.reserve("newer", pid, 2)
    with pytest.raises(ReservationClosed) as err:
        world.stock.commit("late", pid)
    assert err.value.facts() == {"current_status": "RELEASED"}
    assert world.reservations.rows["late"].state is ReservationState.RELEASED
    world.assert_balanced(pid, 2)


def test_a_commit_after_an_explicit_release_is_refused(world: World) -> None:
    pid = world.add(2)
    world.stock.reserve("r-1", pid, 1)
    world.stock.release("r-1", pid)
    with pytest.raises(ReservationClosed):
        world.stock.commit("r-1", pid)
    world.assert_balanced(pid, 2)


def test_nothing_changes_when_the_lock_cannot_be_had(world: World) -> None:
    pid = world.add(2)
    world.lock.busy = True
    with pytest.raises(Unavailable):
        world.stock.reserve("r-1", pid, 1)
    assert world.available(pid) == 2 and world.reservations.rows == {}


def test_concurrent_reservations_never_oversell(world: World) -> None:
    pid = world.add(10)
    won: list[str] = []

    def buy(n: int) -> None:
        try:
            world.stock.reserve(f"r-{n % 30}", pid, 1)  # some ids sent twice
            won.append(f"r-{n % 30}")
        except OutOfStock:
            pass

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(won)) == 10 and world.available(pid) == 0
    world.assert_balanced(pid, 10)
