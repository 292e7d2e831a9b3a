"""Each sidecar API wants its own app's token; each app wants its own
sidecar's token. Missing, wrong or another app's token: refused."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import grpc
import pytest

from devmesh import ports, trust
from devmesh.ports import APP_NAMES
from tests.security.calls import call

pytestmark = [pytest.mark.security, pytest.mark.lite]

GET_METADATA = "/dapr.proto.runtime.v1.Dapr/GetMetadata"


def _other(app: str) -> str:
    return APP_NAMES[(APP_NAMES.index(app) + 1) % len(APP_NAMES)]


def _bad_tokens(app: str, kind: str) -> dict[str, str]:
    tokens = trust.api_tokens()
    wrong = {
        "none": None,
        "wrong": "not-the-token",
        "another app's": tokens[_other(app)].dapr,
        "its own app token": tokens[app].app,
    }[kind]
    return {"dapr-api-token": wrong} if wrong else {}


def _http_status(url: str, headers: dict[str, str], data: bytes | None = None) -> int:
    request = urllib.request.Request(url, headers=headers, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


KINDS = ["none", "wrong", "another app's", "its own app token"]


@pytest.mark.parametrize("app", APP_NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_sidecar_http_api_refuses(mesh: object, app: str, kind: str) -> None:
    url = f"http://127.0.0.1:{ports.load().apps[app].http}/v1.0/metadata"
    assert _http_status(url, _bad_tokens(app, kind)) == 401
    good = {"dapr-api-token": trust.api_tokens()[app].dapr}
    assert _http_status(url, good) == 200


@pytest.mark.parametrize("app", APP_NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_sidecar_grpc_api_refuses(mesh: object, app: str, kind: str) -> None:
    port = ports.load().apps[app].grpc
    err = call(port, GET_METADATA, tuple(_bad_tokens(app, kind).items()))
    assert err is not None and err.code() == grpc.StatusCode.UNAUTHENTICATED, err
    good = (("dapr-api-token", trust.api_tokens()[app].dapr),)
    assert call(port, GET_METADATA, good) is None


def _app_refusal(app: str, headers: dict[str, str]) -> bool:
    port = ports.load().apps[app].app
    if app == "gateway":
        # The gateway is an HTTP app; its sidecar delivers events to the
        # routes it lists under /dapr/subscribe.
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/dapr/subscribe", timeout=10) as resp:
            route = json.loads(resp.read())[0]["route"]
        body = json.dumps({"id": "x", "data": {}}).encode()
        sent = {"Content-Type": "application/cloudevents+json", **headers}
        return _http_status(base + route, sent, body) == 401
    err = call(
        port, "/dapr.proto.runtime.v1.AppCallback/OnTopicEvent", tuple(headers.items())
    )
    return err is not None and err.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("app", APP_NAMES)
def test_app_port_refuses_calls_without_its_sidecars_token(
    mesh: object, app: str
) -> None:
    tokens = trust.api_tokens()
    assert _app_refusal(app, {})
    assert _app_refusal(app, {"dapr-api-token": tokens[_other(app)].app})
    assert _app_refusal(app, {"dapr-api-token": tokens[app].dapr})
