"""Our daprd is built with only the component types of devmesh/daprd_components.py;
every type the YAML asks for must be among them, or the sidecar fails to start."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from devmesh import bootstrap, daprd_components

ROOT = Path(__file__).resolve().parents[3]
WHERE = (
    "add it to KEPT in devmesh/daprd_components.py, then rebuild daprd with "
    "`python3 -m devmesh.bootstrap --only daprd`"
)


def _documents() -> list[tuple[str, dict]]:
    paths = sorted(ROOT.glob("components/*/*.yaml")) + sorted(
        ROOT.glob("dapr/**/*.yaml")
    )
    return [
        (str(path.relative_to(ROOT)), doc)
        for path in paths
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def _used_types() -> list[tuple[str, str]]:
    """(file, component type) for every type a YAML file makes daprd load."""
    used = []
    for where, doc in _documents():
        spec = doc.get("spec") or {}
        if doc["kind"] == "Component":
            used.append((where, spec["type"]))
        if doc["kind"] != "Configuration":
            continue
        resolver = (spec.get("nameResolution") or {}).get("component")
        if resolver:
            used.append((where, f"nameresolution.{resolver}"))
        for pipeline in ("httpPipeline", "appHttpPipeline"):
            for handler in (spec.get(pipeline) or {}).get("handlers", []):
                used.append((where, handler["type"]))
    return used


def test_the_yaml_is_found() -> None:
    types = {t for _, t in _used_types()}
    assert {
        "state.redis",
        "nameresolution.kubernetes",
        "middleware.http.ratelimit",
    } <= (types)


@pytest.mark.parametrize(("where", "component_type"), _used_types())
def test_every_component_type_in_use_is_compiled_in(
    where: str, component_type: str
) -> None:
    assert component_type in daprd_components.KEPT, (
        f"{where} uses {component_type!r}, which our daprd is built without: " + WHERE
    )


def test_registration_files_follow_the_type_names() -> None:
    assert daprd_components.registration_file("secretstores.local.env") == (
        "secretstores_local_env.go"
    )
    assert daprd_components.registration_file("nameresolution.sqlite") == (
        "nameresolution_sqlite.go"
    )


def test_the_binary_name_changes_with_the_kept_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = bootstrap.daprd_bin()
    monkeypatch.setitem(daprd_components.KEPT, "state.in-memory", "a test")
    assert bootstrap.daprd_bin() != before
    assert bootstrap.daprd_bin().name.startswith("daprd-")
