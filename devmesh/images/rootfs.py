"""The images' root file system: Debian bookworm (debootstrap minbase) with
python3 and the CA certificates, from the apt mirror this machine uses, then
brought up to date from bookworm-updates and bookworm-security.

Cached under ~/.cache/daprshop/images/rootfs-<digest>, the digest of the
recipe below (suite, mirrors, packages, the user added, what is removed).
The updates are those of the day the tree was made: delete the folder to
take newer ones.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from devmesh.images.names import UID
from devmesh.images.steps import run, step
from devmesh.paths import CACHE

SUITE = "bookworm"
PACKAGES = ("python3", "ca-certificates")
DEFAULT_MIRRORS = {
    SUITE: "http://deb.debian.org/debian",
    f"{SUITE}-security": "http://deb.debian.org/debian-security",
}
SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
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


def mirror(suite: str = SUITE) -> str:
    """The mirror serving `suite` in this machine's apt sources (one-line or
    deb822 format); Debian's own when none does."""
    files: list[Path] = []
    for source in SOURCES:
        files += sorted(source.glob("*")) if source.is_dir() else [source]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        one_line = re.search(rf"^deb\s+(\S+)\s+{suite}\s", text, re.M)
        if one_line:
            return one_line.group(1)
        for stanza in text.split("\n\n"):
            uris = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            suites = re.search(r"^Suites:\s*(.+)$", stanza, re.M)
            if uris and suites and suite in suites.group(1).split():
                return uris.group(1)
    return DEFAULT_MIRRORS[suite]


def apt_sources() -> str:
    """The tree's own apt sources (deb822): the release, its updates, security."""
    main = (SUITE, f"{SUITE}-updates")
    security = (f"{SUITE}-security",)
    return "\n".join(
        f"Types: deb\nURIs: {mirror(suites[0])}\nSuites: {' '.join(suites)}\n"
        f"Components: main\nSigned-By: {KEYRING}\n"
        for suites in (main, security)
    )


def digest() -> str:
    recipe = "\n".join(
        [apt_sources(), *PACKAGES, PASSWD, GROUP, *DROPPED, "minbase, upgraded"]
    )
    return hashlib.sha256(recipe.encode()).hexdigest()


def folder() -> Path:
    return ROOT / f"rootfs-{digest()[:16]}"


def ensure() -> Path:
    """The cached tree, made first when missing (1-2 min cold)."""
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
    _upgrade(tmp)
    for rel in DROPPED:
        shutil.rmtree(tmp / rel, ignore_errors=True)
    with (tmp / "etc/passwd").open("a") as f:
        f.write(PASSWD)
    with (tmp / "etc/group").open("a") as f:
        f.write(GROUP)
    shutil.rmtree(done, ignore_errors=True)
    tmp.rename(done)
    marker.touch()
    for old in ROOT.glob("rootfs-*.complete"):  # earlier recipes' trees
        if old != marker:
            old.unlink()
            shutil.rmtree(old.with_suffix(""), ignore_errors=True)
    return done


def _upgrade(tree: Path) -> None:
    """The release's updates and security fixes, by the tree's own apt."""
    (tree / "etc/apt/sources.list").unlink(missing_ok=True)
    (tree / "etc/apt/sources.list.d/debian.sources").write_text(apt_sources())
    resolv = tree / "etc/resolv.conf"
    shutil.copyfile("/etc/resolv.conf", resolv)
    try:
        run(["chroot", str(tree), "apt-get", "update", "-qq"])
        step(
            f"apt-get upgrade ({SUITE}-updates, {SUITE}-security)",
            ["chroot", str(tree), "apt-get", "upgrade", "-y", "-qq"],
            {"DEBIAN_FRONTEND": "noninteractive"},
        )
    finally:
        resolv.write_text("")
