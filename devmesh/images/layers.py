"""buildah, driven step by step: a working container, its mounted tree, its
configuration, the commit. Images live in the machine's container storage
(podman sees them); nothing is pulled."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from devmesh.images.names import UID
from devmesh.images.steps import run


def exists(ref: str) -> bool:
    result = subprocess.run(
        ["buildah", "inspect", "--type", "image", ref],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def size_mb(ref: str) -> float:
    """The image's size as podman reports it (uncompressed layers)."""
    out = run(["podman", "image", "inspect", ref])
    return float(json.loads(out)[0]["Size"]) / 1e6


class Working:
    """One buildah working container, mounted; committed or removed."""

    def __init__(self, base: str = "scratch") -> None:
        self.id = run(["buildah", "from", "--pull=never", base]).strip()
        self.root = Path(run(["buildah", "mount", self.id]).strip())

    def copy_tree(self, src: Path, dest: str = "/") -> None:
        """Copy a folder's content into the image (owners and modes kept)."""
        target = self.root / dest.lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        run(["cp", "-a", f"{src}/.", str(target)])

    def copy_file(self, src: Path, dest: str, mode: int = 0o644) -> None:
        target = self.root / dest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        target.chmod(mode)

    def write(self, dest: str, text: str, mode: int = 0o644) -> None:
        target = self.root / dest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        target.chmod(mode)

    def configure(self, labels: dict[str, str], *options: str) -> None:
        """Non-root always; `options` are `buildah config` flags."""
        argv = ["buildah", "config", "--user", f"{UID}:{UID}", *options]
        for key, value in sorted(labels.items()):
            argv += ["--label", f"{key}={value}"]
        run([*argv, self.id])

    def commit(self, image: str, tags: list[str]) -> None:
        """Commit as image:tags[0], then add the other tags."""
        run(["buildah", "umount", self.id])
        run(["buildah", "commit", "--quiet", "--rm", self.id, f"{image}:{tags[0]}"])
        for tag in tags[1:]:
            run(["buildah", "tag", f"{image}:{tags[0]}", f"{image}:{tag}"])

    def discard(self) -> None:
        subprocess.run(["buildah", "rm", self.id], capture_output=True, check=False)


def prune(repo: str, keep: str) -> list[str]:
    """Untag (and so free) the repo's `sha-*` tags other than `keep`: the
    images earlier builds left. Returns the references removed."""
    out = json.loads(run(["podman", "images", "--format", "json"]) or "[]")
    names = {name for image in out for name in image.get("Names") or []}
    stale = sorted(
        name
        for name in names
        if name.rpartition(":")[0] in (repo, f"localhost/{repo}")
        and name.rpartition(":")[2].startswith("sha-")
        and name.rpartition(":")[2] != keep
    )
    for name in stale:
        run(["buildah", "rmi", name])
    return stale
