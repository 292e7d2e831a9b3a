"""deploy/'s generated files are what `python -m devmesh.k8s render` writes
from the local sources now (like the proto stubs' staleness check)."""

from __future__ import annotations

import pytest
import yaml

from devmesh import access
from devmesh.k8s import NAMESPACE, dapr_resources, render
from devmesh.paths import REPO

pytestmark = pytest.mark.k8s_offline


def test_no_generated_file_is_stale() -> None:
    stale = [str(p.relative_to(REPO)) for p in render.stale()]
    assert stale == [], "run `python -m devmesh.k8s render`"


def test_a_changed_source_makes_its_file_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(access.APIS, "order", ("state", "metadata"))
    stale = render.stale()
    assert REPO / "deploy/base/dapr/configurations.yaml" in stale


def test_components_are_the_profiles_files_in_the_namespace() -> None:
    for overlay, profile in (("dev", "full"), ("prod", "prod")):
        for doc in dapr_resources.components(profile):
            source = yaml.safe_load(
                (
                    REPO / "components" / profile / f"{doc['metadata']['name']}.yaml"
                ).read_text()
            )
            assert doc["spec"] == source["spec"], overlay
            assert doc["metadata"]["namespace"] == NAMESPACE


def test_configurations_name_the_cluster_namespace_in_every_policy() -> None:
    for doc in dapr_resources.configurations():
        for policy in doc["spec"]["accessControl"]["policies"]:
            assert policy["namespace"] == NAMESPACE
        assert "template" not in doc["spec"]["nameResolution"]["configuration"]


def test_no_placeholder_of_the_local_files_is_left_unrendered() -> None:
    """A `${NAME}` that only the launcher fills (dapr/*.yaml) must have a
    cluster value too: daprd refuses e.g. an unrendered Zipkin URL at start."""
    for path in sorted((REPO / "deploy").rglob("*.yaml")):
        assert "${" not in path.read_text(), path.relative_to(REPO)
