"""A background thread that runs one job every `interval` seconds until stopped.

For housekeeping (expiry sweeps, purges, lag reports): a failing pass is
logged and the next one runs on time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval: float, job: Callable[[], object]) -> None:
        self._name = name
        self._interval = interval
        self._job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        if self._interval > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._job()
            except Exception:
                log.exception(
                    "%s pass failed; next one in %ss", self._name, self._interval
                )
