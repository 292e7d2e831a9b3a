"""The security tier: proofs, against a real mesh, that the mesh refuses what
devmesh/access.py does not allow. Same session mesh as the other tiers."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log scan runs last: it checks what the whole run wrote."""
    items.sort(key=lambda item: "test_logs.py" in item.nodeid)
