"""/dapr/metadata on the app's status port shows its sidecar's metadata, asked
with the sidecar's API token (a browser link to daprd itself would get 401)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from threading import Thread

import pytest
from pydantic import SecretStr

from common import sidecar_metadata, status_http
from common.settings import ServiceSettings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sidecar(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/v1.0/metadata" and self.headers["dapr-api-token"] == "t0k"
        body = json.dumps({"id": "product", "components": [{"name": "pubsub"}]})
        self.send_response(200 if ok else 401)
        self.end_headers()
        self.wfile.write(body.encode() if ok else b"{}")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def sidecar() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", _free_port()), _Sidecar)
    Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def status_port() -> Iterator[int]:
    chosen = _free_port()
    server = status_http.serve(chosen)
    yield chosen
    server.shutdown()
    server.server_close()
    status_http._metadata = None


def _settings(sidecar: int, token: str) -> ServiceSettings:
    return ServiceSettings(
        app_id="product",
        app_port=1,
        dapr_http_port=sidecar,
        dapr_api_token=SecretStr(token),
    )


def _get(port: int) -> tuple[int, str, str]:
    url = f"http://127.0.0.1:{port}/dapr/metadata"
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def test_the_view_asks_the_sidecar_with_its_token(
    sidecar: int, status_port: int
) -> None:
    status_http.report_metadata(sidecar_metadata.view(_settings(sidecar, "t0k")))
    status, kind, body = _get(status_port)
    assert (status, kind) == (200, "application/json; charset=utf-8")
    assert json.loads(body)["components"] == [{"name": "pubsub"}]


def test_a_refusal_or_a_silent_sidecar_is_said_plainly(
    sidecar: int, status_port: int
) -> None:
    status_http.report_metadata(sidecar_metadata.view(_settings(sidecar, "wrong")))
    assert _get(status_port)[::2] == (
        502,
        "the sidecar answered 401 to GET /v1.0/metadata\n",
    )
    gone = _settings(_free_port(), "t0k")
    status_http.report_metadata(sidecar_metadata.view(gone, timeout=1))
    status, _, body = _get(status_port)
    assert status == 503 and "not answering" in body


def test_without_a_view_the_path_is_not_found(status_port: int) -> None:
    assert _get(status_port)[0] == 404
