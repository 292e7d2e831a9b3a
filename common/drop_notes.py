"""Why an event went to the dead-letter topic, written where `devmesh dlq` reads it.

With `notes` (the service's `EventLedger`), a DROP
and every failed delivery leave `dead-letter:<topic>:<event id>` in the
`idempotency` state store, `{"outcome", "reason", "at"}` (the last one wins, so
an event that exhausted its retries shows its last failure). The state store
rather than a log line: it outlives the process, is keyed by the event id the
dead-lettered CloudEvent carries, expires with the ledger's TTL, and reads the
same under Tilt, `make run` and the tests. It is best effort: a note that
cannot be written is logged, and the event's outcome does not change.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Notes(Protocol):
    """Where drop reasons are written (`common.sidecar.EventLedger.mark`)."""

    def mark(self, key: str, value: str = "done") -> None: ...


def note_key(topic: str, event_id: str) -> str:
    """The state key of the note on why `event_id` on `topic` was not done."""
    return f"dead-letter:{topic}:{event_id}"


def write_note(notes: Notes, event: Any, outcome: str, reason: str) -> None:
    """Note `reason` for an SDK CloudEvent; never raises."""
    event_id = str(getattr(event, "id", "?"))
    topic = str(getattr(event, "subject", "") or "")
    note = {"outcome": outcome, "reason": reason, "at": round(time.time(), 3)}
    try:
        notes.mark(note_key(topic, event_id), json.dumps(note))
    except Exception as err:
        log.warning("could not note why %s was a %s: %s", event_id, outcome, err)
