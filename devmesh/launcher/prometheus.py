"""Prometheus, the metrics server: it scrapes every app and every daprd.

The scrape configuration is rendered from devmesh/ports.yaml into the run
folder at each start: job `apps` has every app's own endpoint (`app_metrics`,
common.metrics), job `daprd` every sidecar's (`metrics`), each target
labelled with its `app`; job `prometheus` is the server itself. The
endpoints need no credentials (plain HTTP on loopback, like `make metrics`
reads them). One Go process listening on loopback only: the UI at /query,
the HTTP API at /api/v1/, readiness at /-/ready; its data (the TSDB, two
days kept) under the run folder. Nothing waits for it: a target it cannot
reach is `up == 0` until it answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devmesh import bootstrap
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import APP_NAMES, load

SCRAPE_INTERVAL = "5s"
RETENTION = "2d"


def base_url() -> str:
    return f"http://{LOOPBACK}:{load().prometheus}"


def _targets(port_of: str) -> list[dict[str, Any]]:
    apps = load().apps
    return [
        {
            "targets": [f"{LOOPBACK}:{getattr(apps[app], port_of)}"],
            "labels": {"app": app},
        }
        for app in APP_NAMES
    ]


def scrape_config() -> dict[str, Any]:
    """Prometheus' configuration file, as data."""
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": "4s"},
        "scrape_configs": [
            {"job_name": "apps", "static_configs": _targets("app_metrics")},
            {"job_name": "daprd", "static_configs": _targets("metrics")},
            {
                "job_name": "prometheus",
                "static_configs": [{"targets": [f"{LOOPBACK}:{load().prometheus}"]}],
            },
        ],
    }


def _prepare(config: Path, data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "# Rendered by devmesh/launcher/prometheus.py from devmesh/ports.yaml\n"
        + yaml.safe_dump(scrape_config(), sort_keys=False)
    )


def prometheus_spec(run: Path) -> Proc:
    config, data = run / "prometheus.yml", run / "prometheus"
    return Proc(
        "prometheus",
        ready_url=f"{base_url()}/-/ready",
        labels=("infra",),
        links=(
            (f"{base_url()}/query", "Metrics (Prometheus)"),
            (f"{base_url()}/targets", "Scrape targets"),
        ),
        argv=[
            str(bootstrap.prometheus_bin()),
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--storage.tsdb.retention.time={RETENTION}",
            f"--web.listen-address={LOOPBACK}:{load().prometheus}",
            "--log.level=warn",
        ],
        prepare=lambda: _prepare(config, data),
    )
