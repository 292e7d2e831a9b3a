"""docs/security.md shows the access table the sidecars are configured with."""

from __future__ import annotations

from pathlib import Path

from devmesh import access, access_doc


def test_the_committed_doc_matches_the_access_table() -> None:
    committed = access_doc.generated_block(access_doc.DOC.read_text())
    assert committed == access_doc.markdown(), (
        "docs/security.md is stale: run `python -m devmesh.access --update-doc`"
    )


def test_every_edge_and_topic_is_in_the_tables() -> None:
    text = access_doc.markdown()
    for caller, callees in access.CALLS.items():
        for callee, methods in callees.items():
            for method in methods:
                assert method.rsplit("/", 1)[1] in text, (caller, callee, method)
    for topic in access.all_topics():
        assert topic.removesuffix("-dead-letter") in text


def test_update_rewrites_only_the_generated_block(tmp_path: Path) -> None:
    doc = tmp_path / "security.md"
    doc.write_text(f"before\n{access_doc.BEGIN}\nold\n{access_doc.END}\nafter\n")

    assert access_doc.update(doc) is True
    assert access_doc.update(doc) is False
    text = doc.read_text()
    assert text.startswith("before\n") and text.endswith("after\n")
    assert access_doc.generated_block(text) == access_doc.markdown()
