"""A steady trickle of calls across a fault: started before it, stopped after
the recovery; each attempt remembered with when it started and how it ended."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from tests.faults.outcomes import outcome


@dataclass(frozen=True)
class Attempt:
    at: float  # time.monotonic() when it started
    took: float
    outcome: str  # "ok" or how it failed (tests.faults.outcomes)
    result: Any


class Load:
    """`call(i)` about `rate` times a second from `workers` threads."""

    def __init__(
        self, call: Callable[[int], Any], rate: float = 4.0, workers: int = 4
    ) -> None:
        self._call = call
        self._interval = workers / rate
        self._workers = workers
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._count = 0
        self.attempts: list[Attempt] = []
        self._threads = [
            threading.Thread(target=self._run, args=(w,), daemon=True)
            for w in range(workers)
        ]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def _next(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def _run(self, worker: int) -> None:
        self._stop.wait(worker * self._interval / self._workers)
        while not self._stop.is_set():
            began = time.monotonic()
            i = self._next()
            try:
                result, ended = self._call(i), "ok"
            except grpc.RpcError as err:
                result, ended = None, outcome(err)
            self.attempts.append(
                Attempt(began, time.monotonic() - began, ended, result)
            )
            self._stop.wait(max(0.0, self._interval - (time.monotonic() - began)))

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float = float("inf")) -> Counter[str]:
        """Outcomes of the attempts that started at `start` or later and
        ended before `end` (a call that waited for a store through its
        return does not count as made while the store was away)."""
        return Counter(
            a.outcome for a in self.attempts if start <= a.at and a.at + a.took < end
        )

    def ok_results(self) -> list[Any]:
        return [a.result for a in self.attempts if a.outcome == "ok"]

    def first_ok_after(self, moment: float, timeout: float) -> float:
        """Seconds from `moment` to the start of the first success after it."""
        deadline = time.monotonic() + timeout
        while True:
            starts = [
                a.at for a in self.attempts if a.outcome == "ok" and a.at >= moment
            ]
            if starts:
                return min(starts) - moment
            assert time.monotonic() < deadline, f"no success {timeout:.0f}s after"
            time.sleep(0.2)
