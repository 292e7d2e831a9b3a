"""/readyz on the metrics port answers what Dapr's app health check reads,
for Tilt, which speaks no gRPC; /metrics still serves Prometheus."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from common import metrics, status_http
from common.runtime import Readiness, sidecar_problem


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> Iterator[int]:
    chosen = _free_port()
    server = status_http.serve(chosen)
    yield chosen
    server.shutdown()
    server.server_close()
    status_http._answer = None


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_readyz_follows_the_readiness_checks(port: int) -> None:
    database_up = True
    readiness = Readiness({"mysql": lambda: database_up})
    readiness.refresh()
    status_http.report_readiness(readiness.problem)
    assert _get(port, "/readyz") == (200, "ready\n")

    database_up = False
    readiness.refresh()
    assert _get(port, "/readyz") == (503, "not ready: mysql\n")


def test_a_process_without_readiness_says_so_and_still_serves_metrics(
    port: int,
) -> None:
    assert _get(port, "/readyz")[0] == 404
    metrics.observe("status-http-test", "ok", 0.01)
    status, body = _get(port, "/metrics")
    assert status == 200
    assert 'operation="status-http-test",outcome="ok"} 1.0' in body


def test_a_sidecar_that_does_not_answer_is_a_problem() -> None:
    problem = sidecar_problem(_free_port(), timeout=0.5)
    assert problem is not None
    assert problem.startswith("sidecar does not answer")
