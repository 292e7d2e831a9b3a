"""The exporter: spans reach a Zipkin-shaped endpoint in batches; when the
store is away nothing waits for it, and lost spans are counted."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from common import metrics
from common.zipkin import ZipkinExporter
from tests.integration.helpers import eventually


@pytest.fixture
def store() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/api/v2/spans", received
    server.shutdown()


def span(n: int) -> dict[str, Any]:
    return {"traceId": "a" * 32, "id": f"{n:016x}", "name": f"s{n}"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_spans_are_posted_in_batches(store: tuple[str, list[Any]]) -> None:
    url, received = store
    exporter = ZipkinExporter(url, interval=0.05)
    for n in range(5):
        exporter.submit(span(n))

    eventually(lambda: exporter.sent == 5, 5, what="five spans sent")
    assert [s["name"] for batch in received for s in batch] == [
        f"s{n}" for n in range(5)
    ]
    exporter.close()


def test_an_unreachable_store_costs_the_caller_nothing() -> None:
    dropped_before = metrics.SPANS_DROPPED._value.get()
    exporter = ZipkinExporter(
        f"http://127.0.0.1:{closed_port()}/api/v2/spans", interval=0.05
    )
    started = time.perf_counter()
    for n in range(200):
        exporter.submit(span(n))
    assert time.perf_counter() - started < 0.05  # submit never waits

    eventually(lambda: exporter.dropped == 200, 5, what="the spans dropped")
    assert exporter.sent == 0
    assert metrics.SPANS_DROPPED._value.get() - dropped_before == 200
    exporter.close()


def test_a_full_queue_drops_and_counts() -> None:
    """A store that takes connections but never answers holds the sender on
    one batch; meanwhile the queue fills and the overflow is dropped."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/api/v2/spans"
        exporter = ZipkinExporter(url, max_queue=2, batch=1, interval=0.01)
        exporter.submit(span(0))
        eventually(exporter._queue.empty, 5, what="the sender to take a span")
        for n in range(1, 5):
            exporter.submit(span(n))
        assert exporter.dropped == 2
