"""The futures scheduler behind R4: on schedule, never waiting for answers."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import Future, ThreadPoolExecutor

from bench.loadgen import open_loop


def test_requests_start_on_schedule_even_when_answers_are_slow() -> None:
    started: list[float] = []
    with ThreadPoolExecutor(max_workers=20) as pool:

        def start(index: int) -> Future[None]:
            started.append(time.monotonic())
            return pool.submit(time.sleep, 0.2)  # far slower than the rate

        results = open_loop(start, rps=50, duration_s=0.4)

    assert [r.index for r in results] == list(range(20))
    gaps = [b - a for a, b in itertools.pairwise(started)]
    assert max(gaps) < 0.1  # no send waited for an earlier answer
    latencies = [r.done_wall - r.scheduled_wall for r in results if r.done_wall]
    assert len(latencies) == 20
    assert min(latencies) >= 0.19  # measured from the scheduled time


def test_failures_and_requests_without_answers_are_reported() -> None:
    never: Future[None] = Future()

    def start(index: int) -> Future[None]:
        if index == 0:
            raise ConnectionError("refused")
        if index == 1:
            failed: Future[None] = Future()
            failed.set_exception(TimeoutError())
            return failed
        return never

    results = open_loop(start, rps=100, duration_s=0.03, drain_s=0.2)

    assert [(r.index, r.done_wall, r.error) for r in results] == [
        (0, None, "ConnectionError"),
        (1, None, "TimeoutError"),
        (2, None, "no answer"),
    ]
