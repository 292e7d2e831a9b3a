"""The Dapr-backed stock lock over a fake lock API: it waits its turn, gives up
as UNAVAILABLE when its wait is over, and always unlocks what it took."""

from __future__ import annotations

import threading
import time

import pytest

from services.product.adapters.stock_lock import DaprStockLock
from services.product.domain import Unavailable


class FakeLockApi:
    """Dapr's TryLock/Unlock semantics: one owner per resource, with leases."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.calls: list[tuple[str, str, str, int]] = []
        self.down = False
        self._mutex = threading.Lock()

    def try_lock(
        self, store_name: str, resource_id: str, lock_owner: str, expiry_in_seconds: int
    ) -> bool:
        if self.down:
            raise ConnectionError("sidecar down")
        with self._mutex:
            self.calls.append((store_name, resource_id, lock_owner, expiry_in_seconds))
            if resource_id in self.owners:
                return False
            self.owners[resource_id] = lock_owner
            return True

    def unlock(self, store_name: str, resource_id: str, lock_owner: str) -> None:
        with self._mutex:
            if self.owners.get(resource_id) == lock_owner:
                del self.owners[resource_id]


def test_a_holder_has_the_products_lock_and_lets_it_go() -> None:
    api = FakeLockApi()
    lock = DaprStockLock(api, "lock", lease_seconds=7)
    with lock.hold("p-1"):
        assert list(api.owners) == ["stock-p-1"]
    assert api.owners == {}
    assert api.calls[0][0] == "lock" and api.calls[0][3] == 7


def test_it_is_let_go_when_the_work_fails() -> None:
    api = FakeLockApi()
    with pytest.raises(ZeroDivisionError), DaprStockLock(api, "lock").hold("p-1"):
        raise ZeroDivisionError
    assert api.owners == {}


def test_a_second_holder_waits_for_the_first() -> None:
    api = FakeLockApi()
    lock = DaprStockLock(api, "lock", wait_seconds=2.0)
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with lock.hold("p-1"):
            inside.set()
            time.sleep(0.1)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait()
    with lock.hold("p-1"):
        order.append("second")
    thread.join()
    assert order == ["first", "second"]


def test_other_products_do_not_wait() -> None:
    api = FakeLockApi()
    lock = DaprStockLock(api, "lock", wait_seconds=0.05)
    with lock.hold("p-1"), lock.hold("p-2"):
        assert set(api.owners) == {"stock-p-1", "stock-p-2"}


def test_a_lock_not_had_in_time_is_unavailable() -> None:
    api = FakeLockApi()
    api.owners["stock-p-1"] = "someone else"
    started = time.monotonic()
    with (
        pytest.raises(Unavailable) as err,
        DaprStockLock(api, "lock", wait_seconds=0.1).hold("p-1"),
    ):
        pass
    assert 0.1 <= time.monotonic() - started < 1.0
    assert err.value.facts() == {"dependency": "stock lock"}
    assert len(api.calls) > 1  # it kept trying


def test_an_unreachable_lock_store_is_unavailable_at_once() -> None:
    api = FakeLockApi()
    api.down = True
    with pytest.raises(Unavailable), DaprStockLock(api, "lock").hold("p-1"):
        pass


def test_threads_of_one_process_queue_so_only_one_polls_the_sidecar() -> None:
    """Eight requests wait for a lock another process holds for 0.2 s: one of
    them polls; the others queue in-process and each take it at first try."""
    api = FakeLockApi()
    api.owners["stock-p-1"] = "another process"
    lock = DaprStockLock(api, "lock", wait_seconds=3.0)
    done: list[int] = []

    def order(i: int) -> None:
        with lock.hold("p-1"):
            done.append(i)

    threads = [threading.Thread(target=order, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    api.unlock("lock", "stock-p-1", "another process")
    for t in threads:
        t.join()
    assert sorted(done) == list(range(8))
    polls_while_held = len(api.calls) - len(done)
    assert polls_while_held < 25, polls_while_held  # one poller, not eight


def test_the_wait_in_this_process_counts_against_the_same_limit() -> None:
    api = FakeLockApi()
    lock = DaprStockLock(api, "lock", wait_seconds=0.1)
    inside = threading.Event()
    leave = threading.Event()

    def holder() -> None:
        with lock.hold("p-1"):
            inside.set()
            leave.wait()

    thread = threading.Thread(target=holder)
    thread.start()
    inside.wait()
    started = time.monotonic()
    with pytest.raises(Unavailable), lock.hold("p-1"):
        pass
    assert time.monotonic() - started < 1.0
    leave.set()
    thread.join()
    assert api.owners == {}
