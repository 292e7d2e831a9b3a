"""The images' root file system: Debian bookworm (debootstrap minbase) with
python3 and the CA certificates, from the apt mirror this machine uses.

Cached under ~/.cache/daprshop/images/rootfs-<digest>, the digest of the
recipe below (suite, mirror, packages, the user added, what is removed).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from devmesh.images.names import UID
from devmesh.images.steps import step
from devmesh.paths import CACHE

SUITE = "bookworm"
PACKAGES = ("python3", "ca-certificates")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))
# Nothing an app reads at run time; about 100 MB of the tree.
DROPPED = (
    "var/cache/apt",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
# The user the images run as (numeric; named for `ps` and friends).
PASSWD = f"nonroot:x:{UID}:{UID}:nonroot:/nonexistent:/usr/sbin/nologin\n"
GROUP = f"nonroot:x:{UID}:\n"
ROOT = CACHE / "images"


def mirror() -> str:
    """The Debian mirror of this machine's apt sources (one-line or deb822)."""
    files: list[Path] = []
    for source in SOURCES:
        files += sorted(source.glob("*")) if source.is_dir() else [source]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        one_line = re.search(rf"^deb\s+(\S+)\s+{SUITE}\s", text, re.M)
        if one_line:
            return one_line.group(1)
        for stanza in text.split("\n\n"):
            uris = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            suites = re.search(r"^Suites:\s*(.+)$", stanza, re.M)
            if uris and suites and SUITE in suites.group(1).split():
                return uris.group(1)
    return DEFAULT_MIRROR


def digest() -> str:
    recipe = "\n".join([SUITE, mirror(), *PACKAGES, PASSWD, GROUP, *DROPPED, "minbase"])
    return hashlib.sha256(recipe.encode()).hexdigest()


def folder() -> Path:
    return ROOT / f"rootfs-{digest()[:16]}"


def ensure() -> Path:
    """The cached tree, made first when missing (about 1 min cold)."""
    done = folder()
    marker = done.with_name(done.name + ".complete")
    if marker.exists():
        return done
    tmp = done.with_name(done.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    argv = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}"]
    step(
        f"debootstrap {SUITE} minbase + {', '.join(PACKAGES)} from {mirror()}",
        [*argv, SUITE, str(tmp), mirror()],
    )
    for rel in DROPPED:
        shutil.rmtree(tmp / rel, ignore_errors=True)
    with (tmp / "etc/passwd").open("a") as f:
        f.write(PASSWD)
    with (tmp / "etc/group").open("a") as f:
        f.write(GROUP)
    shutil.rmtree(done, ignore_errors=True)
    tmp.rename(done)
    marker.touch()
    return done
