"""Each sidecar's Configuration, rendered from dapr/*.yaml into the run folder."""

from __future__ import annotations

import os
from pathlib import Path

from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import REPO, run_dir
from devmesh.ports import load


def app_addresses_template() -> str:
    """Name resolution as a Go template: each app id -> its sidecar's internal
    gRPC address (an unknown id resolves to nothing, so the call fails)."""
    branches = [
        f'if eq .ID "{app}"}}}}{LOOPBACK}:{ports.internal}'
        for app, ports in load().apps.items()
    ]
    return "{{" + "{{else ".join(branches) + "{{end}}"


def metrics_enabled() -> str:
    """Sidecar metrics (Prometheus, on each daprd's metrics port): on unless
    DAPR_METRICS says false/0/no/off."""
    value = os.environ.get("DAPR_METRICS", "true").strip().lower()
    return "false" if value in ("false", "0", "no", "off") else "true"


def render_dapr_config(prof: str, name: str) -> Path:
    run = run_dir(prof)
    text = (REPO / "dapr" / name).read_text()
    text = (
        text.replace("${RUN_DIR}", str(run))
        .replace("${TRACE_SAMPLING}", os.environ.get("DAPR_TRACE_SAMPLING", "0"))
        .replace("${METRICS_ENABLED}", metrics_enabled())
        .replace("${APP_ADDRESSES}", app_addresses_template())
    )
    out = run / name
    out.write_text(text)
    return out
