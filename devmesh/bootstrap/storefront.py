"""The storefront web app: `npm ci` and `npm run build` (codegen, tsc, vite).

node_modules is installed again only when the lockfile changes, the bundle
(storefront/dist) is built again only when a source changes: each is stamped
with the hash it was made from. The build checks every GraphQL operation
against gateway/schema.graphql, so a schema change that breaks the app fails
here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from devmesh.bootstrap.shared import Part, sh
from devmesh.paths import REPO

APP = REPO / "storefront"
MODULES_STAMP = APP / "node_modules" / ".daprshop-lock-hash"
DIST_STAMP = APP / "dist" / ".daprshop-source-hash"
_SOURCES = (
    "package.json",
    "package-lock.json",
    "index.html",
    "vite.config.ts",
    "codegen.ts",
    "tsconfig.json",
)


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def lock_hash() -> str:
    return _digest([APP / "package-lock.json"])


def source_hash() -> str:
    sources = [APP / name for name in _SOURCES]
    sources += sorted(
        p for p in (APP / "src").rglob("*") if p.is_file() and "gql" not in p.parts
    )
    return _digest([*sources, REPO / "gateway" / "schema.graphql"])


def _stamped(stamp: Path, value: str) -> bool:
    return stamp.exists() and stamp.read_text() == value


def ready() -> bool:
    return _stamped(MODULES_STAMP, lock_hash()) and _stamped(DIST_STAMP, source_hash())


def install() -> None:
    npm_flags = ["--no-audit", "--no-fund", "--loglevel=error"]
    if not _stamped(MODULES_STAMP, lock_hash()):
        sh("storefront", ["npm", "ci", *npm_flags], cwd=APP)
        MODULES_STAMP.write_text(lock_hash())
    sh("storefront", ["npm", "run", "build"], cwd=APP)
    DIST_STAMP.write_text(source_hash())


PART = Part(
    "storefront",
    "storefront web app (npm ci + build, cached by lockfile and source hash)",
    ready,
    install,
    "~1 min",
)
