"""Every Dapr file of every profile is valid against Dapr 1.18's own CRD schemas.

Strict: an unknown field fails (daprd would silently drop it), and so does a
missing required one (Kubernetes would refuse the file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from devmesh import crd_schema, paths

# What the launcher renders into the placeholders, in the type it renders.
PLACEHOLDERS = {
    "${RUN_DIR}": "/tmp/run",
    "${TRACE_SAMPLING}": "1",
    "${ZIPKIN_ENDPOINT}": "http://127.0.0.1:19411/api/v2/spans",
    "${METRICS_ENABLED}": "true",
    "${APP_ADDRESSES}": "127.0.0.1:1",
    "${SENTRY_ADDRESS}": "127.0.0.1:2",
    "${JWKS}": "/tmp/jwks.json",
}
FILES = sorted(
    [
        *(paths.REPO / "dapr").rglob("*.yaml"),
        *(paths.REPO / "components").rglob("*.yaml"),
    ]
)


def _documents(path: Path) -> list[dict[str, object]]:
    text = path.read_text()
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return [doc for doc in yaml.safe_load_all(text) if doc]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(paths.REPO)))
def test_the_file_matches_the_crd_schema(path: Path) -> None:
    for document in _documents(path):
        assert crd_schema.problems(document) == []


def test_an_unknown_field_is_named_with_its_path() -> None:
    retry = {"policy": "exponential", "initialInterval": "1s", "maxRetries": 3}
    resiliency = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Resiliency",
        "metadata": {"name": "x"},
        "spec": {"policies": {"retries": {"r": retry}}, "targets": {}},
    }
    assert crd_schema.problems(resiliency) == [
        "$.spec.policies.retries.r.initialInterval: unknown field"
    ]


def test_a_missing_required_field_is_named() -> None:
    config = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Configuration",
        "metadata": {"name": "x"},
        "spec": {"nameResolution": {"component": "kubernetes", "configuration": {}}},
    }
    assert crd_schema.problems(config) == [
        "$.spec.nameResolution.version: required field missing"
    ]


def test_a_wrong_type_is_named() -> None:
    config = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Configuration",
        "metadata": {"name": "x"},
        "spec": {"metrics": {"enabled": "yes"}},
    }
    assert crd_schema.problems(config) == [
        "$.spec.metrics.enabled: expected boolean, got str"
    ]
