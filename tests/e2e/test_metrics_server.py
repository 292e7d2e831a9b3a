"""Prometheus scrapes the whole mesh: every app's own endpoint and every
sidecar's are up, each holds samples of its kind, and a request made through
the gateway shows up in the server.

Everything is read back through Prometheus' HTTP API (`/api/v1/query`), the
one its UI and any Grafana would use.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from devmesh import ports
from devmesh.ports import APP_NAMES
from tests.e2e.graphql import post_graphql
from tests.integration.helpers import eventually, http_json

pytestmark = pytest.mark.e2e

# Each scrape is 5 s apart (devmesh/launcher/prometheus.py); the sidecars and
# apps may still be starting when the mesh fixture hands over.
WITHIN = 60


def query(expr: str) -> list[dict[str, Any]]:
    """An instant query's result vector."""
    url = (
        f"http://127.0.0.1:{ports.load().prometheus}/api/v1/query?"
        + urllib.parse.urlencode({"query": expr})
    )
    body = http_json(url)
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def per_app(expr: str) -> dict[str, float]:
    """A query's value for each `app` label."""
    return {r["metric"]["app"]: float(r["value"][1]) for r in query(expr)}


def test_every_app_and_every_sidecar_is_scraped(mesh: object) -> None:
    def all_up() -> dict[str, dict[str, float]] | None:
        up = {job: per_app(f'up{{job="{job}"}}') for job in ("apps", "daprd")}
        everyone = {job: set(found) for job, found in up.items()}
        if everyone != {"apps": set(APP_NAMES), "daprd": set(APP_NAMES)}:
            return None
        return up if all(v == 1 for f in up.values() for v in f.values()) else None

    try:
        eventually(all_up, WITHIN, interval=1.0, what="every target up")
    except AssertionError:
        down = query('up{job=~"apps|daprd"} == 0')
        names = [f"{r['metric']['job']}/{r['metric']['app']}" for r in down]
        raise AssertionError(f"not up: {names}") from None

    # Each app's own metrics (common.metrics) and its sidecar's, by app.
    app_side = per_app('count by (app) ({job="apps", __name__=~"daprshop_.+"})')
    sidecar_side = per_app('count by (app) ({job="daprd", __name__=~"dapr_.+"})')
    assert set(app_side) == set(APP_NAMES)
    assert set(sidecar_side) == set(APP_NAMES)


def test_a_request_through_the_gateway_is_counted(mesh: object) -> None:
    expr = 'sum(daprshop_requests_total{app="gateway", operation="query products"})'

    def served() -> float:
        found = query(expr)
        return float(found[0]["value"][1]) if found else 0.0

    before = served()
    status, _ = post_graphql("{ products(first: 1) { edges { cursor } } }")
    assert status == 200
    eventually(
        lambda: served() > before, WITHIN, interval=1.0, what="the request counted"
    )


def test_each_apps_dapr_metadata_link_opens_without_a_token(mesh: object) -> None:
    """Tilt's *Dapr metadata* link: the app asks its own sidecar (whose API
    needs a token) and shows the answer, subscriptions included."""
    for app in APP_NAMES:
        port = ports.load().apps[app].app_metrics
        body = http_json(f"http://127.0.0.1:{port}/dapr/metadata")
        assert body["id"] == app, body
        assert body["runtimeVersion"].startswith("1.18"), body
    notification = ports.load().apps["notification"].app_metrics
    body = http_json(f"http://127.0.0.1:{notification}/dapr/metadata")
    topics = {s["topic"] for s in body.get("subscriptions", [])}
    assert {"user-created", "order-notification"} <= topics, topics
