"""Redis, MariaDB and Chromium (with its WebDriver) from the distribution's
packages."""

from __future__ import annotations

import shutil
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, sh


def ready() -> bool:
    return all(
        shutil.which(b)
        for b in ("redis-server", "mariadbd", "mariadb", "chromium", "chromedriver")
    )


def apt_install(part: str, packages: tuple[str, ...] | list[str]) -> None:
    """`apt-get install` without recommends, the distribution's own services
    kept from starting (we run our own)."""
    policy = Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        sh(part, ["apt-get", "update", "-qq"])
        sh(
            part,
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
            DEBIAN_FRONTEND="noninteractive",
        )
    finally:
        if not had_policy:
            policy.unlink(missing_ok=True)


def install() -> None:
    apt_install("apt", pins.APT_PACKAGES)


PART = Part(
    "apt",
    "Redis, MariaDB, Chromium + chromedriver (Debian packages)",
    ready,
    install,
    "~2 min",
)
