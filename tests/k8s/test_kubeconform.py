"""Every object of every overlay is valid, strictly, against the Kubernetes
1.36 and Dapr 1.18 schemas generated from their modules (kubeconform,
offline). Nothing may be skipped: a kind without a schema fails too."""

from __future__ import annotations

import json
import subprocess

import pytest

from devmesh import bootstrap, pins
from devmesh.k8s import schemas
from tests.k8s.manifests import OVERLAYS, build_text, tool

pytestmark = pytest.mark.k8s_offline


def kubeconform(text: str) -> dict[str, object]:
    folder = bootstrap.k8s_schemas_dir()
    tool(folder / ".complete")
    argv = [
        tool(bootstrap.kubeconform_bin()),
        "-strict",
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        pins.KUBERNETES,
        "-schema-location",
        schemas.location(folder),
    ]
    done = subprocess.run(argv, input=text, capture_output=True, text=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid(overlay: str) -> None:
    report = kubeconform(build_text(overlay))
    problems = [
        r for r in report.get("resources") or [] if r["status"] != "statusValid"
    ]  # type: ignore[attr-defined]
    assert problems == []
    summary = report["summary"]
    assert summary["invalid"] == summary["errors"] == summary["skipped"] == 0  # type: ignore[index]
    assert summary["valid"] > 20  # type: ignore[index]


def test_an_unknown_field_is_refused() -> None:
    text = build_text("dev").replace(
        "  replicas: 1\n", "  replicas: 1\n  replica: 1\n", 1
    )
    report = kubeconform(text)
    assert report["summary"]["invalid"] == 1  # type: ignore[index]


def test_a_dapr_typo_is_refused() -> None:
    text = build_text("prod").replace(
        "  type: pubsub.kafka\n", "  type: pubsub.kafka\n  typ: x\n"
    )
    report = kubeconform(text)
    assert report["summary"]["invalid"] == 1  # type: ignore[index]
