"""devmesh/access.py as Markdown tables, for docs/security.md.

`python -m devmesh.access --markdown` prints them; `--update-doc` rewrites the
generated block of docs/security.md (between the BEGIN/END markers), and a unit
test fails when the committed block differs, so the document cannot drift
from the table the sidecars are configured with.
"""

from __future__ import annotations

from pathlib import Path

from common import topics
from devmesh import access
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES

DOC = REPO / "docs" / "security.md"
BEGIN = "<!-- BEGIN GENERATED: python -m devmesh.access --markdown -->"
END = "<!-- END GENERATED -->"


def _short(method: str) -> str:
    """`/daprshop.order.v1.OrderService/GetOrder` -> `OrderService/GetOrder`."""
    service, _, name = method.strip("/").partition("/")
    return f"{service.rsplit('.', 1)[-1]}/{name}"


def _names(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else "—"


def call_matrix() -> list[str]:
    rows = ["| caller | callee | gRPC methods its sidecar lets through |",
            "|---|---|---|"]  # fmt: skip
    for table, note in ((access.CALLS, ""), (access.GUEST_CALLS, " (test guest)")):
        for caller, callees in table.items():
            for callee, methods in callees.items():
                shown = _names([_short(m).split("/")[1] for m in methods])
                rows.append(f"| {caller}{note} | {callee} | {shown} |")
    called = {callee for callees in access.CALLS.values() for callee in callees}
    uncalled = [app for app in APP_NAMES if app not in called]
    rows.append("")
    rows.append(f"Called by no app: {_names(uncalled)}. Every other edge is denied.")
    return rows


def topic_table() -> list[str]:
    rows = ["| topic | published by | subscribed by | its dead letters published by |",
            "|---|---|---|---|"]  # fmt: skip
    for topic in topics.ALL:
        publishers = [a for a, ts in access.PUBLISHES.items() if topic in ts]
        subscribers = [a for a, ts in access.SUBSCRIBES.items() if topic in ts]
        dead = topics.dead_letter(topic)
        dead_publishers = [a for a, ts in access.PUBLISHES.items() if dead in ts]
        rows.append(
            f"| `{topic}` | {_names(publishers)} | {_names(subscribers)} "
            f"| {_names(dead_publishers)} |"
        )
    return rows


def app_table() -> list[str]:
    rows = [
        "| app | Dapr APIs its sidecar exposes | components loaded "
        "| secrets readable |",
        "|---|---|---|---|",
    ]
    for app in APP_NAMES:
        loaded = [c for c, apps in access.COMPONENTS.items() if app in apps]
        rows.append(
            f"| {app} | {_names(access.APIS[app])} | {_names(loaded)} "
            f"| {_names(access.SECRETS[app])} |"
        )
    return rows


def markdown() -> str:
    parts = [
        "#### Calls (`accessControl`, default deny, checked against the caller's "
        "mTLS identity)",
        "",
        *call_matrix(),
        "",
        "#### Topics (`publishingScopes`, `subscriptionScopes`, all topics "
        "`protectedTopics`)",
        "",
        *topic_table(),
        "",
        "#### Per app (`api.allowed`, component `scopes:`, `secrets.scopes`)",
        "",
        *app_table(),
    ]
    return "\n".join(parts) + "\n"


def generated_block(text: str) -> str:
    """The text between the markers of a document."""
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip("\n") + "\n"


def update(doc: Path = DOC) -> bool:
    """Rewrite the generated block; True when it changed."""
    text = doc.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{markdown()}{END}{tail}"
    if new == text:
        return False
    doc.write_text(new)
    return True


def main(argv: list[str]) -> int:
    if argv == ["--markdown"]:
        print(markdown(), end="")
        return 0
    if argv == ["--update-doc"]:
        print(f"{DOC}: {'updated' if update() else 'already current'}")
        return 0
    print("usage: python -m devmesh.access --markdown | --update-doc")
    return 2
