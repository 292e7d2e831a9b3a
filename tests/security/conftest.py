"""The security tier: proofs, against a real mesh, that the mesh refuses what
devmesh/access.py does not allow. Same session mesh as the other tiers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devmesh import ports
from tests.security.edge import Gateway


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log scan runs last: it checks what the whole run wrote."""
    items.sort(key=lambda item: "test_logs.py" in item.nodeid)


@pytest.fixture(scope="module")
def gateway(mesh: object) -> Iterator[Gateway]:
    """The running gateway, over HTTP."""
    gateway = Gateway(f"http://127.0.0.1:{ports.load().apps['gateway'].app}")
    yield gateway
    gateway.http.close()
