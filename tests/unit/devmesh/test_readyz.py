"""What Tilt's readiness probe and the launcher's wait read for each app: a
service's own /readyz (common/status_http.py), where one failure counts (its
port closes when it dies, so a short crash-and-restart still shows); the
gateway's /readyz, three failures."""

from __future__ import annotations

from devmesh import launcher
from devmesh.ports import load


def test_services_are_probed_at_their_own_readyz_once_the_gateway_three_times() -> None:
    specs = launcher.specs("lite")
    metrics = load().apps["notification"].app_metrics
    assert specs["notification"].ready_url == f"http://127.0.0.1:{metrics}/readyz"
    assert specs["notification"].probe_failures == 1
    assert specs["gateway"].probe_failures == 3
