"""The dev overlay's images: every tag pinned, and named as they are built.

Each app runs its own image (daprshop-<app>, as `make images` and Tilt's
cluster mode build it) at the project's version; the backing services run
the versions the local mesh pins (devmesh/pins.py), so a cluster and a laptop
run the same servers."""

from __future__ import annotations

import re
import tomllib

import pytest

from devmesh import pins
from devmesh.images import names
from devmesh.paths import REPO
from tests.k8s.manifests import app_deployments, build, of_kind

pytestmark = pytest.mark.k8s_offline

# image repository (last path part) -> the version the local mesh runs
LOCAL_PINS = {
    "kafka": pins.KAFKA,
    "ferretdb": pins.FERRETDB,
    "mailpit": pins.MAILPIT,
    "mock-oauth2-server": pins.MOCK_OAUTH2,
}
VERSION_TAG = re.compile(r"^v?\d+(\.\d+){1,2}([.-][0-9A-Za-z]+)*$")


def _split(image: str) -> tuple[str, str]:
    """(repository, tag); no digest pinning here, so a digest is refused."""
    assert "@" not in image, image
    repository, _, tag = image.rpartition(":")
    if "/" in tag or not repository:  # a registry port, not a tag
        return image, ""
    return repository, tag


def _containers() -> list[tuple[str, str]]:
    return [
        (doc["metadata"]["name"], c["image"])
        for kind in ("Deployment", "StatefulSet")
        for doc in of_kind(build("dev"), kind)
        for c in doc["spec"]["template"]["spec"].get("initContainers", [])
        + doc["spec"]["template"]["spec"]["containers"]
    ]


def test_every_dev_image_carries_a_version_tag() -> None:
    for name, image in _containers():
        _, tag = _split(image)
        assert VERSION_TAG.match(tag), f"{name}: {image} (no version tag)"


def test_tilts_cluster_mode_builds_the_images_the_apps_run() -> None:
    tiltfile = (REPO / "tilt" / "cluster" / "Tiltfile").read_text()
    assert "docker_build('daprshop-' + name" in tiltfile
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert names.version() == project["version"]
    for app, doc in app_deployments(build("dev")).items():
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert container["image"] == f"daprshop-{app}:{project['version']}", app


def test_the_backing_services_run_the_local_meshs_versions() -> None:
    seen = set()
    for name, image in _containers():
        repository, tag = _split(image)
        short = repository.rsplit("/", 1)[-1]
        if short in LOCAL_PINS:
            seen.add(short)
            assert tag.removeprefix("v") == LOCAL_PINS[short], f"{name}: {image}"
    assert seen == set(LOCAL_PINS)


def test_a_floating_or_missing_tag_is_caught() -> None:
    assert not VERSION_TAG.match(_split("redis:latest")[1])
    assert not VERSION_TAG.match(_split("redis")[1])
    assert not VERSION_TAG.match(_split("localhost:5000/redis")[1])
    assert VERSION_TAG.match(_split("localhost:5000/redis:7.4.2")[1])
