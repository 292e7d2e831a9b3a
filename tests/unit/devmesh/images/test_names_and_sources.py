"""`make images`' pure parts: names and tags, the files of each app image and
their digest, the apt mirror the root file system comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from devmesh import tiers
from devmesh.images import names, rootfs, sources
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES


def test_every_app_and_daprd_has_its_own_versioned_name() -> None:
    refs = [names.ref(n) for n in (*APP_NAMES, names.DAPRD)]
    assert len(set(refs)) == len(APP_NAMES) + 1
    assert names.ref("product") == f"daprshop-product:{names.version()}"
    assert all(not ref.endswith(":latest") for ref in refs)
    assert names.digest_tag("ab" * 32) == "sha-" + "ab" * 8
    with pytest.raises(ValueError, match="no image named"):
        names.image("base")


def test_an_app_image_holds_the_shared_packages_and_its_own_only() -> None:
    rel = {str(p.relative_to(REPO)) for p in sources.app_sources("product")}
    assert {"services/__init__.py", "services/product/__main__.py"} <= rel
    assert "common/settings.py" in rel and "protos/__init__.py" in rel
    assert not any(r.startswith(("services/order/", "gateway/")) for r in rel)
    assert not any("__pycache__" in r or r.startswith("protos/gen/") for r in rel)
    gateway = {str(p.relative_to(REPO)) for p in sources.app_sources("gateway")}
    assert "gateway/__main__.py" in gateway
    assert not any(r.startswith("services/") for r in gateway)
    assert sources.module("gateway") == "gateway"
    assert sources.module("cart") == "services.cart"


def test_an_app_digest_follows_its_files_and_its_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sources.app_digest("cart", "base-1")
    assert sources.app_digest("cart", "base-1") == first
    assert sources.app_digest("cart", "base-2") != first
    assert sources.app_digest("user", "base-1") != first
    extra = tmp_path / "extra.py"
    extra.write_text("x = 1\n")
    monkeypatch.setattr(sources, "REPO", tmp_path)
    monkeypatch.setattr(sources, "app_sources", lambda app: [extra])
    one = sources.app_digest("cart", "base-1")
    extra.write_text("x = 2\n")
    assert sources.app_digest("cart", "base-1") != one


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("sources.list", "# x\ndeb http://mirror.test/debian bookworm main\n"),
        (
            "debian.sources",
            "Types: deb\nURIs: http://other.test/x\nSuites: trixie\n\n"
            "Types: deb\nURIs: http://mirror.test/debian\n"
            "Suites: bookworm bookworm-updates\nComponents: main\n",
        ),
    ],
)
def test_the_mirror_is_the_machines_bookworm_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    (tmp_path / name).write_text(text)
    monkeypatch.setattr(rootfs, "SOURCES", (tmp_path / "absent", tmp_path))
    assert rootfs.mirror() == "http://mirror.test/debian"
    assert rootfs.mirror("bookworm-security") == "http://deb.debian.org/debian-security"
    assert "URIs: http://mirror.test/debian\n" in rootfs.apt_sources()
    (tmp_path / name).write_text("deb http://mirror.test/ubuntu jammy main\n")
    assert rootfs.mirror() == "http://deb.debian.org/debian"


def test_the_images_tier_runs_after_the_api_server_tier() -> None:
    order = [t.name for t in tiers.TIERS]
    assert order.index("images") == order.index("k8s-api") + 1
