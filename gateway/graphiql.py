"""GraphiQL without the internet, opening on the shop's own operations.

strawberry's GraphiQL page loads React and GraphiQL from unpkg. The bootstrap
copies exactly those files (same versions, same bytes) into a local folder;
when it exists, the gateway serves it at ASSETS_PATH and points the page there.
The page's subresource-integrity hashes still hold, since the bytes are equal.

The page opens on every operation of gateway/operations/ (one document; pick
one with the run button) and their example variables, and reads its
parameters from the URL fragment too: `/graphql#headers=<JSON>` fills the
headers editor (the login page links there with the Authorization header) and
a fragment never reaches a server or its logs.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

ASSETS_PATH = "/graphiql-assets"
UNPKG_URL = re.compile(r"https://unpkg\.com/((?:@[^/\"]+/)?[^@/\"]+)@[^/\"]+/([^\"]+)")
OPERATIONS = Path(__file__).with_name("operations")
# Queries first, then mutations, then the subscription: how a reader meets them.
_ORDER = {"query": 0, "mutation": 1, "subscription": 2}
_EXAMPLE = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_SEARCH = 'window.location.search.slice(1).split("&")'


def localize(html: str, assets_path: str = ASSETS_PATH) -> str:
    """Point every unpkg URL of the page at the local copy of the same file."""
    return UNPKG_URL.sub(lambda m: f"{assets_path}/{m.group(1)}/{m.group(2)}", html)


def usable(folder: Path | None) -> bool:
    return folder is not None and (folder / "graphiql" / "graphiql.min.js").exists()


@cache
def example_document(folder: Path = OPERATIONS) -> str:
    """Every operation file, queries first, as one document."""
    texts = [p.read_text().strip() for p in sorted(folder.glob("*.graphql"))]

    def kind(text: str) -> int:
        first = next(line for line in text.splitlines() if not line.startswith("#"))
        return _ORDER.get(first.split()[0], 3)

    return "\n\n".join(sorted(texts, key=kind)) + "\n"


def with_examples(html: str, folder: Path = OPERATIONS) -> str:
    """The page with our operations and variables as its defaults, and its
    parameters read from the URL fragment as well as the query string."""
    variables = (folder / "variables.json").read_text()
    document = json.dumps(example_document(folder))
    html = _EXAMPLE.sub(lambda _: f"const EXAMPLE_QUERY = {document};", html, 1)
    html = html.replace(
        _SEARCH,
        '(window.location.search.slice(1) + "&" + window.location.hash.slice(1))'
        '.split("&")',
    )
    return html.replace(
        "React.useState(\n          parameters.variables,\n        )",
        f"React.useState(\n          parameters.variables || {json.dumps(variables)},\n"
        "        )",
    )
