"""The images: a base (the Debian tree and the locked runtime dependencies in
/opt/venv), one image per app on it (its code under /app), and daprd's.

Each image is tagged `sha-<digest>` of its inputs and skipped when that tag
exists, so a warm `make images` only hashes files; the project version tag
(what deploy/ names) is moved onto the image built last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from devmesh import bootstrap, pins
from devmesh.images import rootfs
from devmesh.images.layers import Working, exists, prune
from devmesh.images.names import DAPRD, PREFIX, digest_tag, image, version
from devmesh.images.sources import (
    app_digest,
    app_sources,
    content_hash,
    module,
    runtime_requirements,
    uv,
)
from devmesh.images.steps import BuildFailed, run, say, step
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES

BASE = f"{PREFIX}-base"
VENV = "/opt/venv"
# Debian's python3 in the tree is 3.11, as is the machine's (bookworm both):
# the venv is made with the machine's and points at /usr/bin, which inside
# the image is the tree's.
HOST_PYTHON = "/usr/bin/python3.11"
PATH = f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CA_BUNDLE = "etc/ssl/certs/ca-certificates.crt"


@dataclass(frozen=True)
class Built:
    name: str
    ref: str
    digest: str
    fresh: bool  # built now (False: found by its digest)


def build_base() -> Built:
    tree = rootfs.ensure()
    for python in (Path(HOST_PYTHON), tree / HOST_PYTHON.lstrip("/")):
        if not python.exists():
            raise BuildFailed(
                f"{python} missing: the venv is made with the machine's Python"
                " 3.11 for the tree's (both Debian bookworm)"
            )
    requirements = runtime_requirements()
    digest = content_hash(rootfs.digest(), requirements, VENV, PATH)
    tag = digest_tag(digest)
    if exists(f"{BASE}:{tag}"):
        return Built("base", f"{BASE}:{tag}", digest, fresh=False)
    say(f"base image {BASE}:{tag}: Debian tree + locked runtime deps")
    work = Working()
    try:
        work.copy_tree(tree)
        venv = work.root / VENV.lstrip("/")
        uv_env = {"UV_PYTHON_DOWNLOADS": "never"}
        run(
            [
                str(uv()),
                "venv",
                "--quiet",
                "--relocatable",
                "--python",
                HOST_PYTHON,
                str(venv),
            ],
            uv_env,
        )
        req = work.root / "tmp" / "requirements.txt"
        req.write_text(requirements)
        step(
            f"installing {requirements.count('==')} locked packages (uv)",
            [
                str(uv()),
                "pip",
                "sync",
                "--quiet",
                "--link-mode",
                "copy",
                "--python",
                str(venv / "bin" / "python"),
                str(req),
            ],
            uv_env,
        )
        req.unlink()
        work.configure(
            {"org.opencontainers.image.title": BASE},
            *("--env", f"PATH={PATH}", "--env", "PYTHONUNBUFFERED=1"),
            *("--env", "PYTHONDONTWRITEBYTECODE=1", "--workingdir", "/app"),
        )
        work.commit(BASE, [tag])
    except BaseException:
        work.discard()
        raise
    return Built("base", f"{BASE}:{tag}", digest, fresh=True)


def build_app(app: str, base: Built) -> Built:
    return _commit_tags(
        app,
        app_digest(app, base.digest),
        lambda work: _fill_app(work, app_sources(app)),
        base.ref,
        ("--cmd", f'["python", "-m", "{module(app)}"]'),
    )


def _fill_app(work: Working, files: list[Path]) -> None:
    for path in files:
        work.copy_file(path, f"/app/{path.relative_to(REPO)}")


def build_daprd() -> Built:
    daprd = bootstrap.daprd_bin()
    tree = rootfs.ensure()
    passwd = (tree / "etc/passwd").read_text().splitlines()
    users = "\n".join(
        line for line in passwd if line.split(":")[0] in ("root", "nonroot")
    )
    groups = "\n".join(
        line
        for line in (tree / "etc/group").read_text().splitlines()
        if line.split(":")[0] in ("root", "nonroot")
    )
    ca = (tree / CA_BUNDLE).read_bytes()
    digest = content_hash(
        hashlib.sha256(daprd.read_bytes()).hexdigest(), ca, users, groups
    )

    def fill(work: Working) -> None:
        work.copy_file(daprd, "/daprd", 0o755)
        work.copy_file(tree / CA_BUNDLE, f"/{CA_BUNDLE}")
        work.write("/etc/passwd", users + "\n")
        work.write("/etc/group", groups + "\n")
        (work.root / "tmp").mkdir(mode=0o1777, exist_ok=True)
        (work.root / "tmp").chmod(0o1777)

    return _commit_tags(
        DAPRD,
        digest,
        fill,
        "scratch",
        ("--entrypoint", '["/daprd"]', "--label", f"io.dapr.version={pins.DAPR}"),
    )


def _commit_tags(
    name: str,
    digest: str,
    fill: Callable[[Working], None],
    base: str,
    options: tuple[str, ...],
) -> Built:
    repo = image(name)
    tag = digest_tag(digest)
    ref = f"{repo}:{version()}"
    if exists(f"{repo}:{tag}"):
        run(["buildah", "tag", f"{repo}:{tag}", ref])
        return Built(name, ref, digest, fresh=False)
    say(f"{ref} ({tag})")
    work = Working(base)
    try:
        fill(work)
        labels = {
            "org.opencontainers.image.title": repo,
            "org.opencontainers.image.version": version(),
            "org.opencontainers.image.revision": digest,
        }
        work.configure(labels, *options)
        work.commit(repo, [tag, version()])
    except BaseException:
        work.discard()
        raise
    return Built(name, ref, digest, fresh=True)


def build(names: Iterable[str]) -> list[Built]:
    wanted = list(names)
    out: list[Built] = []
    out_of_date: list[str] = []
    apps = [n for n in wanted if n in APP_NAMES]
    if apps:
        base = build_base()
        out += [build_app(app, base) for app in apps]
    if DAPRD in wanted:
        out.append(build_daprd())
    # The apps' old images first: an old base is theirs.
    for b in out:
        out_of_date += prune(image(b.name), digest_tag(b.digest))
    if apps:
        out_of_date += prune(BASE, digest_tag(base.digest))
    if out_of_date:
        say(f"removed {len(out_of_date)} out-of-date image tags")
    return out
