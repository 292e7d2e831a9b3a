"""When a crashed process is started again, and when it is given up on.

A process that exits on its own is restarted after a backoff that doubles with
each crash inside the window (1 s, 2 s, 4 s ... up to MAX_DELAY); one that
crashes more than LIMIT times within WINDOW seconds is given up on. Pure
bookkeeping over a clock, so it is tested without processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = int(os.environ.get("DAPRSHOP_RESTART_LIMIT", "5"))
WINDOW = float(os.environ.get("DAPRSHOP_RESTART_WINDOW", "120"))
FIRST_DELAY = 1.0
MAX_DELAY = 16.0


@dataclass
class RestartPolicy:
    limit: int = LIMIT
    window: float = WINDOW
    clock: Callable[[], float] = time.monotonic
    crashes: list[float] = field(default_factory=list)

    def crashed(self) -> float | None:
        """Record a crash now: the delay before the restart, or None to give up."""
        now = self.clock()
        self.crashes = [t for t in self.crashes if now - t < self.window]
        self.crashes.append(now)
        if len(self.crashes) > self.limit:
            return None
        return float(min(FIRST_DELAY * 2 ** (len(self.crashes) - 1), MAX_DELAY))

    @property
    def recent(self) -> int:
        return len(self.crashes)
