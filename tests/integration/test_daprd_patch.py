"""daprd's Kafka fix (devmesh/bootstrap/daprd_patch.py) against the real
components-contrib module: a Go test that fails without the overlay passes
with it. Needs the Go toolchain and the dapr source the bootstrap unpacked."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from devmesh import pins
from devmesh.bootstrap import daprd_patch
from devmesh.paths import SRC

GO_TEST = Path(__file__).parent / "go" / "kafka_resubscribe_test.go"
PACKAGE = f"{daprd_patch.CONTRIB}/common/component/kafka"
DAPR_SRC = SRC / f"dapr-{pins.DAPR}"

pytestmark = pytest.mark.skipif(
    shutil.which("go") is None or not DAPR_SRC.exists(),
    reason="needs Go and the dapr source (python3 -m devmesh.bootstrap --only daprd)",
)


def _go_test(tmp_path: Path, patched: bool) -> subprocess.CompletedProcess[str]:
    replace = json.loads(daprd_patch.overlay(DAPR_SRC).read_text())["Replace"]
    subscriber = next(Path(k) for k in replace if k.endswith(daprd_patch.SUBSCRIBER))
    replace = {str(subscriber): replace[str(subscriber)]}
    test_file = subscriber.with_name("zz_daprshop_resubscribe_test.go")
    files = {str(test_file): str(GO_TEST), **(replace if patched else {})}
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps({"Replace": files}))
    argv = ["go", "test", "-mod=mod", "-count=1", f"-overlay={overlay}"]
    argv += ["-run", "TestResubscribeSurvivesLateUnsubscribe", PACKAGE]
    return subprocess.run(
        argv, cwd=DAPR_SRC, capture_output=True, text=True, timeout=900, check=False
    )


def test_the_unpatched_kafka_component_drops_a_resubscribed_topic(
    tmp_path: Path,
) -> None:
    result = _go_test(tmp_path, patched=False)
    assert result.returncode != 0
    assert "removed the new subscription's handler" in result.stdout


def test_the_patched_kafka_component_keeps_it(tmp_path: Path) -> None:
    result = _go_test(tmp_path, patched=True)
    assert result.returncode == 0, result.stdout + result.stderr
