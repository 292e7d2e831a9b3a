"""GraphiQL's browser files, from npm, for the gateway to serve itself.

strawberry's GraphiQL page loads React and GraphiQL from unpkg, which a machine
without internet cannot reach; the gateway serves these copies instead (same
versions, same bytes, so the page's SRI hashes still hold).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from devmesh.bootstrap.shared import Part, StepFailed, sh
from devmesh.paths import CACHE, VENV

UNPKG_URL = re.compile(
    r"https://unpkg\.com/((?:@[^/\"]+/)?[^@/\"]+)@([^/\"]+)/([^\"]+)"
)


def assets_dir() -> Path:
    return CACHE / "graphiql" / "assets"


def _strawberry_graphiql_html() -> Path:
    found = sorted(
        VENV.resolve().glob("lib/python*/site-packages/strawberry/static/graphiql.html")
    )
    if not found:
        raise StepFailed(
            "graphiql: strawberry is not installed yet (run the python part)"
        )
    return found[0]


def ready() -> bool:
    marker = assets_dir() / ".source"
    try:
        return marker.read_text() == _strawberry_graphiql_html().read_text()
    except (OSError, StepFailed):
        return False


def install() -> None:
    html = _strawberry_graphiql_html().read_text()
    wanted = UNPKG_URL.findall(html)
    staging = CACHE / "graphiql" / "npm"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    specs = sorted({f"{pkg}@{version}" for pkg, version, _ in wanted})
    npm = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
    sh("graphiql", [*npm, "--ignore-scripts", "--prefix", str(staging), *specs])
    out = assets_dir()
    shutil.rmtree(out, ignore_errors=True)
    for pkg, _version, path in wanted:
        target = out / pkg / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staging / "node_modules" / pkg / path, target)
    (out / ".source").write_text(html)
    shutil.rmtree(staging, ignore_errors=True)


PART = Part(
    "graphiql",
    "GraphiQL browser files (npm), served by the gateway offline",
    ready,
    install,
    "~1 min",
)
