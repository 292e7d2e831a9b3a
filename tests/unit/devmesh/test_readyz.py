"""A service resource's readiness as its supervisor answers it (what Tilt's
probe and the launcher's wait read): not ready while a process is down, the
app's port is closed or its sidecar is unhealthy."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from threading import Thread

import pytest

from devmesh import launcher
from devmesh.launcher import readyz
from devmesh.ports import Ports, load


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_readyz_answers_200_or_503_with_the_reason() -> None:
    why: list[str | None] = ["app exited with -9; restarting it"]
    port = _free_port()
    server = readyz.serve(port, lambda: why[0])
    try:
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/readyz") == (503, "app exited with -9; restarting it\n")
        why[0] = None
        assert _get(f"{base}/readyz") == (200, "ready\n")
        assert _get(f"{base}/other")[0] == 404
        with pytest.raises(SystemExit, match="is taken"):
            readyz.serve(port, lambda: None)
    finally:
        server.shutdown()
        server.server_close()


class _Healthz(BaseHTTPRequestHandler):
    status = 204

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def app_port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """notification's app port (closed) and a fake sidecar healthz (204)."""
    sidecar = HTTPServer(("127.0.0.1", 0), _Healthz)
    Thread(target=sidecar.serve_forever, daemon=True).start()
    real = load()
    apps = dict(real.apps)
    app_port = _free_port()
    apps["notification"] = replace(
        apps["notification"], app=app_port, http=sidecar.server_address[1]
    )
    monkeypatch.setattr(readyz, "load", lambda: Ports(real.infra, apps))
    yield app_port
    sidecar.shutdown()
    sidecar.server_close()


def test_a_service_is_ready_only_with_its_processes_port_and_sidecar(
    app_port: int,
) -> None:
    down: list[str | None] = [None]
    check = readyz.service_check("notification", lambda: down[0])
    assert "does not accept connections" in (check() or "")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", app_port))
        listener.listen()
        assert check() is None
        down[0] = "notification's app exited with -9; restarting it"
        assert check() == down[0]
        down[0] = None
        _Healthz.status = 500
        try:
            assert check() == "notification's daprd is not healthy yet"
        finally:
            _Healthz.status = 204


def test_services_are_probed_at_their_supervisor_the_gateway_at_itself() -> None:
    specs = launcher.specs("lite")
    health = load().apps["notification"].health
    assert specs["notification"].ready_url == f"http://127.0.0.1:{health}/readyz"
    assert specs["notification"].probe_failures == 1
    assert specs["gateway"].probe_failures == 3
