"""What `make images` builds with (optional part `images`): buildah and podman,
debootstrap for the root file system, runc (crun refuses this machine's hybrid
cgroup layout), from the distribution's packages."""

from __future__ import annotations

import shutil

from devmesh import pins
from devmesh.bootstrap.apt import apt_install
from devmesh.bootstrap.shared import Part


def ready() -> bool:
    return all(shutil.which(b) for b in ("buildah", "podman", "debootstrap", "runc"))


def install() -> None:
    apt_install("images", pins.IMAGE_APT_PACKAGES)


PART = Part(
    "images",
    "buildah, podman, debootstrap, runc (Debian packages, for `make images`)",
    ready,
    install,
    "~1 min",
    optional=True,
)
