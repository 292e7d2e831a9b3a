"""A small Zipkin exporter: finished spans go to the trace store in the background.

`submit` only puts the span on a bounded queue, so a request never waits for
the trace store; a sender thread posts them in batches (Zipkin v2 JSON,
`POST /api/v2/spans`) with a short timeout. A full queue, or a batch the store
did not take (down, slow, refusing), is dropped and counted
(`trace_spans_dropped_total`), never retried: traces are a diagnosis aid, and
an outage of the store must cost the mesh nothing.

Chosen over the OpenTelemetry SDK and its Zipkin exporter, which the venv
does not have: this is what the apps need of them, in one standard-library
module.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.request
from typing import Any

from common import metrics

log = logging.getLogger(__name__)


class ZipkinExporter:
    def __init__(
        self,
        url: str,
        max_queue: int = 4096,
        batch: int = 200,
        interval: float = 0.5,
        timeout: float = 2.0,
    ) -> None:
        self._url = url
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(max_queue)
        self._batch = batch
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._last_warning = 0.0
        self.sent = 0
        self.dropped = 0
        self._thread = threading.Thread(
            target=self._loop, name="zipkin-exporter", daemon=True
        )
        self._thread.start()

    def submit(self, span: dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(span)
        except queue.Full:
            self._drop(1, "queue full")

    def close(self, timeout: float = 2.0) -> None:
        """Send what is queued (within `timeout`), then stop the thread."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._interval)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            spans = [first]
            while len(spans) < self._batch:
                try:
                    spans.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._post(spans)

    def _post(self, spans: list[dict[str, Any]]) -> None:
        request = urllib.request.Request(
            self._url,
            data=json.dumps(spans).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read()
        except Exception as err:  # the store is away: drop, count, go on
            self._drop(len(spans), str(err))
            return
        self.sent += len(spans)
        metrics.SPANS_EXPORTED.inc(len(spans))

    def _drop(self, count: int, why: str) -> None:
        self.dropped += count
        metrics.SPANS_DROPPED.inc(count)
        now = time.monotonic()
        if now - self._last_warning > 60:
            self._last_warning = now
            log.warning("dropped %d span(s) for %s: %s", count, self._url, why)
