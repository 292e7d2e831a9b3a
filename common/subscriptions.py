"""Dapr subscriptions: CloudEvent in, SUCCESS / RETRY / DROP out, written once.

`handler(...)` turns a function of an `Envelope` into the callback that
`dapr.ext.grpc.App.subscribe` expects, and maps what happens to Dapr's answer:

- the function returns (None or `Outcome.SUCCESS`): SUCCESS, the event is done;
- `PoisonEvent`, or an exception listed in `drop_on` (validation, unknown
  entity): DROP. Dapr then moves the event to the subscription's dead-letter
  topic, and later events keep flowing;
- `InFlight`, or any other exception (a dependency is down): RETRY, within the
  bounds of the resiliency policy (then the dead-letter topic as well);
- the function may also return `Outcome.RETRY` / `Outcome.DROP` itself.

`Once` runs a side effect at most once per key, across redeliveries and
replicas, over the `EventLedger` (Dapr state, first-write claims):

1. done marker present -> skip;
2. claim a short lease (first write wins); someone else holds it -> `InFlight`;
3. run the action; on failure release the lease and re-raise;
4. write the done marker (long TTL).

The lease must outlive the slowest action (it is what keeps a concurrent
redelivery from running it twice). What remains: a crash after the action's
effect but before step 4 allows one repeat once the lease expires.

`subscribe(app, pubsub, topic, fn)` registers a handler with the topic's
dead-letter topic, so no subscription is ever made without one.

Why an event was not done is noted with `notes` (common/drop_notes.py).
"""

from __future__ import annotations

import enum
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from dapr.clients.grpc._response import TopicEventResponse

from common import metrics, topics, tracing
from common.drop_notes import Notes, write_note
from common.events import Envelope, PoisonEvent, envelope_from_sdk_event
from common.sidecar import AlreadyClaimed

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SUCCESS = "success"
    RETRY = "retry"
    DROP = "drop"

    def response(self) -> TopicEventResponse:
        return TopicEventResponse(self.value)


class InFlight(Exception):
    """Another delivery holds the lease on this key: try again later."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{key} is being handled by another delivery")
        self.key = key


class Ledger(Protocol):
    """What `Once` needs of `common.sidecar.EventLedger`."""

    def seen(self, key: str) -> bool: ...
    def claim(
        self, key: str, value: str = "1", ttl_seconds: int | None = None
    ) -> None: ...
    def mark(self, key: str, value: str = "done") -> None: ...
    def release(self, key: str) -> None: ...


class Once:
    """At most once per key: a lease while running, a done marker after."""

    def __init__(
        self,
        ledger: Ledger,
        lease_seconds: int = 30,
        mark_retry_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._ledger = ledger
        self._lease = lease_seconds
        self._mark_retry = mark_retry_seconds
        self._sleep = sleep

    def run(self, key: str, action: Callable[[], None]) -> bool:
        """Run `action` unless it already ran for `key`.

        Returns True when it ran now, False when it had run before. Raises
        `InFlight` while another delivery holds the lease, and whatever
        `action` raised (after releasing the lease, so a retry can run it).
        """
        done, lease = f"done:{key}", f"lease:{key}"
        if self._ledger.seen(done):
            return False
        try:
            self._ledger.claim(lease, ttl_seconds=self._lease)
        except AlreadyClaimed:
            if self._ledger.seen(done):
                return False
            raise InFlight(key) from None
        try:
            action()
        except BaseException:
            try:
                self._ledger.release(lease)
            except Exception as err:  # the lease expires on its own
                log.warning("could not release %s: %s", lease, err)
            raise
        self._mark(key, done)
        return True

    def _mark(self, key: str, done: str) -> None:
        """Write the done marker, retrying while the store is away (its
        sidecar restarting after a crash: fault F2 sent one email twice when
        the marker was given up at once, the lease expired and Kafka
        redelivered). If it never comes back, keep the lease (it blocks
        repeats until it expires) and report success rather than run the
        action again."""
        pause, waited = 0.2, 0.0
        while True:
            try:
                self._ledger.mark(done)
                return
            except Exception as err:
                if waited >= self._mark_retry:
                    log.warning(
                        "%s ran but its done marker was not written: %s", key, err
                    )
                    return
            self._sleep(pause)
            waited += pause
            pause = min(pause * 2, 5.0)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str = ""


EventFunction = Callable[[Envelope], "Outcome | None"]
SdkCallback = Callable[[Any], TopicEventResponse]


def handler(
    *,
    drop_on: tuple[type[BaseException], ...] = (),
    once: Once | None = None,
    key_prefix: str | None = None,
    notes: Notes | None = None,
) -> Callable[[EventFunction], SdkCallback]:
    """Decorate `fn(envelope) -> Outcome | None` into an SDK topic callback.

    With `once`, the whole handler runs at most once per CloudEvent id (key
    `<key_prefix or fn name>:<event id>`); without it the handler itself must
    tolerate redelivery (e.g. because what it produces has a deterministic id).
    With `notes`, drops and failures are written down (see the module doc).
    """

    def decorate(fn: EventFunction) -> SdkCallback:
        prefix = key_prefix or fn.__name__

        @functools.wraps(fn)
        def callback(event: Any) -> TopicEventResponse:
            verdict = deliver(fn, event, drop_on, once, prefix)
            metrics.event_consumed(_topic(event), verdict.outcome.value)
            if notes is not None and verdict.reason:
                write_note(notes, event, verdict.outcome.value, verdict.reason)
            return verdict.outcome.response()

        return callback

    return decorate


def deliver(
    fn: EventFunction,
    event: Any,
    drop_on: tuple[type[BaseException], ...],
    once: Once | None,
    key_prefix: str,
) -> Verdict:
    """Run `fn` on `event`: the outcome, and the reason when it is not SUCCESS
    (empty for a lease held elsewhere, which is no failure)."""
    try:
        envelope = _envelope(event)
    except PoisonEvent as err:
        log.warning("dropping undecodable event %s: %s", _id(event), err)
        return Verdict(Outcome.DROP, str(err))
    span = tracing.current()  # the delivery's, continuing the publisher's trace
    if span is not None:
        span.name = f"consume {envelope.topic}"
        span.tag("messaging.message.id", envelope.id)
    droppable: tuple[type[BaseException], ...] = (PoisonEvent, *drop_on)
    try:
        if once is None:
            outcome = fn(envelope) or Outcome.SUCCESS
            return Verdict(outcome, _asked(outcome))

        def action() -> None:
            outcome = fn(envelope) or Outcome.SUCCESS
            if outcome is not Outcome.SUCCESS:
                raise _NotDone(outcome)  # releases the lease: not done yet

        once.run(f"{key_prefix}:{envelope.id}", action)
        return Verdict(Outcome.SUCCESS)
    except _NotDone as not_done:
        return Verdict(not_done.outcome, _asked(not_done.outcome))
    except InFlight as err:
        log.info("retry later: %s", err)
        return Verdict(Outcome.RETRY)
    except droppable as err:
        log.warning(
            "dropping event %s on %s (to its dead-letter topic): %s",
            envelope.id,
            envelope.topic,
            err,
        )
        return Verdict(Outcome.DROP, f"{type(err).__name__}: {err}")
    except Exception as err:
        log.exception("event %s on %s failed; retrying", envelope.id, envelope.topic)
        return Verdict(Outcome.RETRY, f"{type(err).__name__}: {err}")


def _asked(outcome: Outcome) -> str:
    if outcome is Outcome.SUCCESS:
        return ""
    return f"the handler answered {outcome.value.upper()}"


class _NotDone(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


def _envelope(event: Any) -> Envelope:
    envelope = envelope_from_sdk_event(event)
    if not envelope.id:
        raise PoisonEvent("CloudEvent without an id")
    if envelope.topic:
        return envelope
    # The SDK puts the topic in the event's subject when no extension has it.
    subject = getattr(event, "subject", None)
    return replace(envelope, topic=str(subject or ""))


def _topic(event: Any) -> str:
    extensions = getattr(event, "extensions", None)
    topic = extensions.get("topic") if isinstance(extensions, dict) else None
    return str(topic or getattr(event, "subject", None) or "")


def _id(event: Any) -> str:
    return str(getattr(event, "id", "?"))


def subscribe(app: Any, pubsub: str, topic: str, callback: SdkCallback) -> None:
    """Register `callback` for `topic`, always with its dead-letter topic."""
    app.subscribe(pubsub, topic, dead_letter_topic=topics.dead_letter(topic))(callback)
