"""R4: `order-created` -> email handed to SMTP, end to end over Kafka, against
Kafka's own produce -> consume with a plain client on the same broker.

Pipeline side: OrderCreated events are published at a constant rate through a
sidecar's gRPC publish API (order's, as its outbox relay does; product's when order
is missing); user's sidecar delivers them, user publishes order-notification,
notification's sidecar delivers that, notification sends the email to Mailpit.
Latency runs from each event's *scheduled* publish time to the moment Mailpit
stored the email (its `Created`, ms precision). The email subject carries the
order id, which matches email to event; an event without an email after the
drain timeout is lost.

Baseline side: kafka-python producer -> the same broker -> kafka-python
consumer (one hop), latency from scheduled send to receipt.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import grpc
import httpx

from bench.harness import (
    Context,
    Side,
    SideResult,
    alternate,
    busy_note,
    describe,
    unavailable_rows,
)
from bench.invocation import caller_channel, sidecar_metadata
from bench.loadgen import Block, open_loop
from bench.report import TIMES, Row, at_most
from bench.stats import ratio, summarize
from common.caller import Actor
from common.events import publish_metadata
from devmesh import trust
from devmesh.ports import load

RATE = 50
DRAIN_S = 30.0
PRIME_TIMEOUT_S = 90.0
BASELINE_TOPIC = "bench-baseline"

TEMPLATES = (
    Row(
        "R4",
        f"order-created → email p50 @{RATE}/s",
        None,
        "ms",
        at_most(10.0),
        note="≤ 10 ms (stretch 5)",
    ),
    Row("R4", f"order-created → email p99 @{RATE}/s", None, "ms", at_most(50.0)),
    Row("R4", "events lost", None, "", at_most(0)),
    Row("R4", "Kafka alone: produce → consume p50", None, "ms"),
    Row("R4", "Kafka alone: produce → consume p99", None, "ms"),
    Row("R4", "pipeline p50 ÷ Kafka p50", None, TIMES),
    Row("R4", "first hop p50 (order-created → order-notification)", None, "ms"),
    Row("R4", "CPU per event, whole pipeline", None, "CPU-ms"),
)
PIPELINE_PROCESSES = (
    "kafka",
    "user",
    "user-daprd",
    "notification",
    "notification-daprd",
    "mailpit",
    "redis",
    "mariadb",
)


# --- baseline: Kafka alone ------------------------------------------------------


def ensure_topic(brokers: str, topic: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=brokers, request_timeout_ms=10000)
    try:
        admin.create_topics([NewTopic(topic, 1, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


class Tap:
    """Reads one single-partition topic from its end; key -> time of receipt."""

    def __init__(
        self, brokers: str, topic: str, key: Callable[[bytes], str | None]
    ) -> None:
        from kafka import KafkaConsumer, TopicPartition

        ensure_topic(brokers, topic)
        self.consumer = KafkaConsumer(
            bootstrap_servers=brokers,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=500,
        )
        partition = TopicPartition(topic, 0)
        self.consumer.assign([partition])
        self.consumer.seek_to_end(partition)
        self.consumer.position(partition)
        self.key = key
        self.received: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._consume, daemon=True)
        self._thread.start()

    def _consume(self) -> None:
        while not self._stop.is_set():
            for records in self.consumer.poll(timeout_ms=100).values():
                now = time.time()
                for record in records:
                    key = self.key(record.value)
                    if key:
                        self.received[key] = now

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.consumer.close()


class KafkaEcho:
    """A plain producer and a plain consumer on one partition of one topic."""

    def __init__(self, brokers: str, topic: str) -> None:
        from kafka import KafkaProducer

        self.tap = Tap(brokers, topic, lambda value: value.decode())
        self.producer = KafkaProducer(
            bootstrap_servers=brokers, acks=1, linger_ms=0, retries=0
        )
        self.topic = topic

    def run(self, rps: float, seconds: float) -> Block:
        tag = uuid.uuid4().hex[:10]
        count = int(rps * seconds)
        due = time.time() + 0.05
        sent: dict[str, float] = {}
        for index in range(count):
            due_at = due + index / rps
            delay = due_at - time.time()
            if delay > 0:
                time.sleep(delay)
            key = f"{tag}-{index}"
            sent[key] = due_at
            self.producer.send(self.topic, key.encode())
        self.producer.flush(timeout=10)
        return collect(
            "Kafka alone", rps, seconds, sent, lambda: dict(self.tap.received), 10.0
        )

    def close(self) -> None:
        self.producer.close(timeout=5)
        self.tap.close()


def notification_order_id(value: bytes) -> str | None:
    """The order id of an `order-notification` CloudEvent as Dapr wrote it."""
    try:
        event = json.loads(value)
        data = event.get("data")
        if isinstance(data, str):
            data = json.loads(data)
        return str(data.get("orderId")) if isinstance(data, dict) else None
    except (ValueError, AttributeError):
        return None


def collect(
    label: str,
    rps: float,
    seconds: float,
    sent: dict[str, float],
    arrivals: Callable[[], dict[str, float]],
    drain_s: float,
) -> Block:
    """Wait until every sent key arrived (or the drain time ran out)."""
    deadline = time.monotonic() + drain_s
    while True:
        seen = arrivals()
        if all(k in seen for k in sent) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    block = Block(label, rps, seconds)
    for key, due in sent.items():
        if key in seen:
            block.latencies_ms.append(max(0.0, (seen[key] - due) * 1000))
        else:
            block.errors += 1
            block.error_kinds["lost"] += 1
    return block


# --- the pipeline -----------------------------------------------------------------


def mailpit_created(tag: str) -> dict[str, float]:
    """Order id -> time Mailpit stored its email, for subjects containing `tag`."""
    base = f"http://127.0.0.1:{load().mailpit_http}/api/v1/search"
    out: dict[str, float] = {}
    start = 0
    while True:
        try:
            reply = httpx.get(
                base, params={"query": tag, "start": start, "limit": 500}, timeout=10
            ).json()
        except (httpx.HTTPError, ValueError):
            return out  # asked again on the next poll
        messages = reply.get("messages") or []
        for message in messages:
            for word in str(message.get("Subject", "")).split():
                if tag in word:
                    out[word] = parse_time(message["Created"])
        if len(messages) < 500:
            return out
        start += len(messages)


def parse_time(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def order_created(order_id: str, user_id: str) -> dict[str, Any]:
    """An OrderCreated payload (protobuf JSON mapping)."""
    return {
        "orderId": order_id,
        "userId": user_id,
        "items": [
            {
                "productId": "bench-product",
                "productName": "Benchmark item",
                "quantity": "1",
                "unitPrice": {"amount": "1000", "currency": "USD"},
            }
        ],
        "total": {"amount": "1000", "currency": "USD"},
        "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
    }


class Pipeline:
    """Publishes OrderCreated events and times their emails; a tap on
    `order-notification` times the first hop (through user) on the way.

    Events go through the publisher sidecar's gRPC publish API, the call the
    services' own publishers (the outbox relay) make; each is started as a
    future, so the sender adds almost nothing to the time it measures.
    """

    def __init__(
        self, ctx: Context, publisher: str, user_id: str, hop: Tap | None = None
    ) -> None:
        from dapr.proto.runtime.v1 import dapr_pb2_grpc

        self.channel = grpc.insecure_channel(f"127.0.0.1:{load().apps[publisher].grpc}")
        self.publish = dapr_pb2_grpc.DaprStub(self.channel).PublishEvent
        # Each sidecar API has its own token (devmesh/trust.py).
        self.metadata = (("dapr-api-token", trust.api_tokens()[publisher].dapr),)
        self.user_id = user_id
        self.hop = hop
        self.first_hop_runs: list[list[float]] = []  # one list per run()

    def run(self, rps: float, seconds: float, drain_s: float = DRAIN_S) -> Block:
        tag = "b" + uuid.uuid4().hex[:10]
        order_ids = [f"{tag}x{i:05d}" for i in range(int(rps * seconds))]
        requests = [self._request(order_id) for order_id in order_ids]
        schedule = open_loop(
            lambda i: self.publish.future(
                requests[i], metadata=self.metadata, timeout=10
            ),
            rps,
            seconds,
        )
        sent = {order_ids[s.index]: s.scheduled_wall for s in schedule}
        failed = [s for s in schedule if s.done_wall is None]
        block = collect(
            "pipeline", rps, seconds, sent, lambda: mailpit_created(tag), drain_s
        )
        if failed:
            block.error_kinds["publish failed"] = len(failed)
        if self.hop:
            seen = dict(self.hop.received)
            self.first_hop_runs.append(
                [(seen[k] - due) * 1000 for k, due in sent.items() if k in seen]
            )
        return block

    def _request(self, order_id: str) -> Any:
        from dapr.proto.runtime.v1 import pubsub_pb2

        return pubsub_pb2.PublishEventRequest(
            pubsub_name="pubsub",
            topic="order-created",
            data=json.dumps(order_created(order_id, self.user_id)).encode(),
            data_content_type="application/json",
            metadata=publish_metadata(f"evt-{order_id}"),
        )

    def close(self) -> None:
        self.channel.close()


def buyer(ctx: Context) -> str:
    """The user every benchmark order belongs to (created once, kept)."""
    from protos.user.v1 import user_pb2, user_pb2_grpc

    with caller_channel() as channel:
        stub = user_pb2_grpc.UserServiceStub(channel)  # type: ignore[no-untyped-call]
        reply = stub.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(
                subject="bench-buyer",
                email="bench-buyer@daprshop.test",
                name="Bench Buyer",
            ),
            metadata=sidecar_metadata(ctx, "user", Actor(subject="bench-buyer")),
            timeout=10,
        )
    return str(reply.user.id)


def _missing(ctx: Context) -> str:
    needed = ["kafka", "mailpit", "user", "notification"]
    if not ctx.stack.has(*needed):
        return ctx.stack.why_not(*needed)
    if not (ctx.stack.has("order") or ctx.stack.has("product")):
        return "no sidecar to publish from (order or product)"
    if not ctx.has_processes("gateway-daprd"):
        return "no calling sidecar"
    return ""


def run(ctx: Context) -> list[Row]:
    if not ctx.stack.has("kafka"):
        return unavailable_rows(TEMPLATES, ctx.stack.why_not("kafka"))
    echo = KafkaEcho(ctx.env["KAFKA_BROKERS"], BASELINE_TOPIC)
    try:
        return _run(ctx, echo)
    finally:
        echo.close()


def _run(ctx: Context, echo: KafkaEcho) -> list[Row]:
    settings = ctx.settings
    baseline = Side("Kafka alone", echo.run, ("kafka",))
    why = _missing(ctx)
    if why:
        result = alternate(
            ctx,
            (baseline,),
            RATE,
            blocks=settings.events_blocks,
            block_s=settings.events_block_s,
            warm_s=settings.warm_s,
        )["Kafka alone"]
        ctx.raw["R4"] = {"Kafka alone": result.as_dict(), "pipeline": why}
        rows = unavailable_rows(TEMPLATES[:3], why)
        rows += baseline_rows(result)
        rows += unavailable_rows(TEMPLATES[5:], why)
        return rows

    publisher = "order" if ctx.stack.has("order") else "product"
    hop = Tap(ctx.env["KAFKA_BROKERS"], "order-notification", notification_order_id)
    pipeline = Pipeline(ctx, publisher, buyer(ctx), hop)
    try:
        return _run_pipeline(ctx, baseline, pipeline)
    finally:
        pipeline.close()
        hop.close()


def _run_pipeline(ctx: Context, baseline: Side, pipeline: Pipeline) -> list[Row]:
    settings = ctx.settings
    publisher = "order" if ctx.stack.has("order") else "product"
    # Consumer groups join, caches warm: wait for one event to come through.
    primed = pipeline.run(1, 1, drain_s=PRIME_TIMEOUT_S)
    if primed.errors:
        why = f"no email within {PRIME_TIMEOUT_S:.0f} s of a first order-created"
        return unavailable_rows(TEMPLATES[:3], why) + unavailable_rows(
            TEMPLATES[3:], why
        )
    processes = (f"{publisher}-daprd", *PIPELINE_PROCESSES)
    results = alternate(
        ctx,
        (baseline, Side("pipeline", pipeline.run, processes)),
        RATE,
        blocks=settings.events_blocks,
        block_s=settings.events_block_s,
        warm_s=settings.warm_s,
    )
    base, pipe = results["Kafka alone"], results["pipeline"]
    ctx.raw["R4"] = {
        "publisher": f"{publisher}'s sidecar",
        **{name: r.as_dict() for name, r in results.items()},
    }
    compared = f"{describe(pipe)}; {describe(base)}{busy_note([base, pipe])}"
    # The priming run and the warm-up block are not measured.
    first_hop = summarize(x for run in pipeline.first_hop_runs[2:] for x in run)
    lost = pipe.error_kinds.get("lost", 0)
    cpu = {k: v for k, v in pipe.cpu_ms.items() if not math.isnan(v)}
    top = sorted(cpu, key=lambda k: -cpu[k])[:4]
    return [
        replace(TEMPLATES[0], value=pipe.latency.p50, detail=compared),
        replace(TEMPLATES[1], value=pipe.latency.p99, detail=compared),
        replace(
            TEMPLATES[2],
            value=float(lost),
            detail=f"of {pipe.requests} events; publish failures "
            f"{pipe.error_kinds.get('publish failed', 0)}",
        ),
        *baseline_rows(base),
        replace(TEMPLATES[5], value=ratio(pipe.latency.p50, base.latency.p50)),
        replace(
            TEMPLATES[6],
            value=first_hop.p50,
            detail=f"p99 {first_hop.p99:.1f} ms, n={first_hop.count}: "
            "order-created published -> order-notification on Kafka (via user)",
        ),
        replace(
            TEMPLATES[7],
            value=sum(cpu.values()),
            detail=", ".join(f"{k} {cpu[k]:.2f}" for k in top),
        ),
    ]


def baseline_rows(result: SideResult) -> list[Row]:
    lat = result.latency
    detail = f"{describe(result)}; broker {result.cpu_ms['kafka']:.2f} CPU-ms/event"
    return [
        replace(TEMPLATES[3], value=lat.p50, detail=detail),
        replace(TEMPLATES[4], value=lat.p99, detail=detail),
    ]
