"""The launcher's restart policy: backoff per crash, given up after a limit."""

from __future__ import annotations

from devmesh.launcher.restarts import RestartPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_crash_in_the_window_doubles_the_delay_until_the_limit() -> None:
    clock = Clock()
    policy = RestartPolicy(limit=4, window=60, clock=clock)
    delays = []
    for _ in range(4):
        delays.append(policy.crashed())
        clock.now += 1
    assert delays == [1.0, 2.0, 4.0, 8.0]
    assert policy.crashed() is None  # the fifth within a minute: give up


def test_crashes_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    policy = RestartPolicy(limit=2, window=60, clock=clock)
    assert policy.crashed() == 1.0
    assert policy.crashed() == 2.0
    clock.now += 61
    assert policy.crashed() == 1.0
    assert policy.recent == 1


def test_the_delay_is_capped() -> None:
    policy = RestartPolicy(limit=20, window=1e9, clock=Clock())
    assert max(policy.crashed() or 0 for _ in range(10)) == 16.0
