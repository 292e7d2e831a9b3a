"""Orders and product's reservations: each line is reserved under its own id,
committed when the order is placed, released on cancel or failure, and a
repeat of any of these changes nothing more."""

import pytest

from services.order.domain import LineRequest, OrderStatus, OutOfStock, Unavailable
from tests.unit.order.fakes import World


@pytest.fixture
def world() -> World:
    w = World()
    w.inventory.add("mug", stock=10, cents=1299)
    w.inventory.add("tea", stock=5, cents=450)
    return w


def place(w: World, *items: tuple[str, int], key: str = "k1"):
    return w.service.place(
        "alice", [LineRequest(p, q, i) for i, (p, q) in enumerate(items)], key
    )


def test_a_placed_order_commits_one_reservation_per_line(world) -> None:
    order = place(world, ("mug", 3), ("tea", 2))
    assert [line.reservation_id for line in order.lines] == [
        f"{order.id}-1",
        f"{order.id}-2",
    ]
    assert world.inventory.states() == {
        f"{order.id}-1": "committed",
        f"{order.id}-2": "committed",
    }
    assert world.repo.pending == []


def test_a_commit_that_fails_now_is_kept_and_retried(world) -> None:
    world.inventory.commit_down = True
    order = place(world, ("mug", 3))
    assert order.status == OrderStatus.PENDING
    assert world.inventory.states() == {f"{order.id}-1": "reserved"}
    assert [(p.action, p.release.reservation_id) for p in world.repo.pending] == [
        ("commit", f"{order.id}-1")
    ]
    world.inventory.commit_down = False
    world.releases.retry_all()
    assert world.inventory.states() == {f"{order.id}-1": "committed"}
    assert world.repo.pending == []


def test_cancel_releases_the_committed_reservations_once(world) -> None:
    order = place(world, ("mug", 3))
    world.service.cancel(order.id, "alice")
    world.releases.retry_all()  # nothing left; a repeat would change nothing
    world.inventory.release(f"{order.id}-1", "mug")  # a duplicate release
    assert world.inventory.stock("mug") == 10
    assert world.inventory.states() == {f"{order.id}-1": "released"}


def test_a_reserve_whose_answer_was_lost_is_released_by_its_id(world) -> None:
    world.inventory.lose_answers = True
    with pytest.raises(Unavailable):
        place(world, ("mug", 3))
    assert world.inventory.stock("mug") == 10  # product had applied it
    assert list(world.inventory.states().values()) == ["released"]
    assert world.repo.orders == {}


def test_a_failed_placement_releases_the_lines_it_reserved(world) -> None:
    with pytest.raises(OutOfStock):
        place(world, ("mug", 3), ("tea", 9))
    assert world.inventory.stock("mug") == 10
    assert list(world.inventory.states().values()) == ["released"]
