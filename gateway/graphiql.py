"""GraphiQL without the internet.

strawberry's GraphiQL page loads React and GraphiQL from unpkg. The bootstrap
copies exactly those files (same versions, same bytes) into a local folder;
when it exists, the gateway serves it at ASSETS_PATH and points the page there.
The page's subresource-integrity hashes still hold, since the bytes are equal.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSETS_PATH = "/graphiql-assets"
UNPKG_URL = re.compile(r"https://unpkg\.com/((?:@[^/\"]+/)?[^@/\"]+)@[^/\"]+/([^\"]+)")


def localize(html: str, assets_path: str = ASSETS_PATH) -> str:
    """Point every unpkg URL of the page at the local copy of the same file."""
    return UNPKG_URL.sub(lambda m: f"{assets_path}/{m.group(1)}/{m.group(2)}", html)


def usable(folder: Path | None) -> bool:
    return folder is not None and (folder / "graphiql" / "graphiql.min.js").exists()
