"""deploy/ names the images `make images` builds (devmesh/images/names.py)."""

from __future__ import annotations

import pytest
import yaml

from devmesh.images import names
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES
from tests.k8s.manifests import OVERLAYS, app_deployments, build

pytestmark = pytest.mark.k8s_offline
# Where each overlay expects the images (prod: the registry you push them to).
REGISTRY = {"dev": "", "prod": "registry.example.com/"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_app_runs_its_own_image_at_the_project_version(overlay: str) -> None:
    deployments = app_deployments(build(overlay))
    assert set(deployments) == set(APP_NAMES)
    for app, doc in deployments.items():
        spec = doc["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        assert container["image"] == REGISTRY[overlay] + names.ref(app)
        assert spec["securityContext"]["runAsUser"] == names.UID


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renames_only_images_make_images_builds(overlay: str) -> None:
    path = REPO / "deploy" / "overlays" / overlay / "kustomization.yaml"
    entries = yaml.safe_load(path.read_text()).get("images", [])
    built = {names.image(app) for app in APP_NAMES}
    assert {entry["name"] for entry in entries} <= built
    assert all("newTag" not in entry for entry in entries), "the base's tag is kept"


def test_dockerfile_runs_as_the_images_user() -> None:
    text = (REPO / "deploy" / "Dockerfile").read_text()
    assert f"USER {names.UID}:{names.UID}" in text
