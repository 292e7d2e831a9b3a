"""Test-only crash points: a process dies at an exact spot of its code, so the
fault tier (tests/faults) can prove what survives a crash there.

Inert unless DAPRSHOP_CRASH_POINT names the point, and never in prod
(ENVIRONMENT=prod). Even when armed, a point fires only for a request whose tag
(an idempotency key) starts with TRIGGER, so the rest of the traffic of an
armed mesh passes untouched. Firing ends the process at once (`os._exit`: no
cleanup, no flush of anything but this module's log line), as kill -9 would.

Points:
- `after-commit` (order's repository): an order and its `order-created` event
  are committed, the outbox relay has not published the event yet.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

TRIGGER = "crash-point:"
EXIT_CODE = 70


def armed(point: str) -> bool:
    return (
        os.environ.get("DAPRSHOP_CRASH_POINT") == point
        and os.environ.get("ENVIRONMENT", "dev") != "prod"
    )


def reached(point: str, tag: str) -> None:
    """Dies here if `point` is armed and `tag` asks for it; otherwise nothing."""
    if not tag.startswith(TRIGGER) or not armed(point):
        return
    log.critical("crash point %s reached for %s: exiting now (test only)", point, tag)
    sys.stderr.flush()
    os._exit(EXIT_CODE)
