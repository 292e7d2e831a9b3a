"""`tilt ci` over the real Tiltfile on the full profile (Kafka): every resource
comes up and turns ready."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devmesh import bootstrap, pins, ports

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.tilt]


def test_tilt_ci_brings_every_resource_up(tmp_path: Path) -> None:
    tilt = bootstrap.tilt_bin()
    assert tilt.exists(), f"tilt {pins.TILT} is not installed: run `make bootstrap`"
    run_dir = Path(os.environ["DAPRSHOP_RUN_DIR"]).with_name("test-tilt")
    shutil.rmtree(run_dir, ignore_errors=True)
    env = {
        **os.environ,
        "DAPRSHOP_PORT_OFFSET": str(ports.OFFSETS["test-tilt"]),
        "DAPRSHOP_RUN_DIR": str(run_dir),
        "PROFILE": "full",
        "TILT_DISABLE_ANALYTICS": "1",
        "HOME": os.environ["HOME"],
    }
    result = subprocess.run(
        [
            str(tilt),
            "ci",
            "--port",
            "10359",
            "--timeout",
            "8m",
            "--",
            "--profile",
            "full",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    for name in ("redis", "mariadb", "gateway", "order", "notification"):
        assert name in output
