"""The unit tier touches no shared folder: whatever it renders goes to a temp dir.

(tests/conftest.py points DAPRSHOP_RUN_DIR at the integration mesh's run
folder; a unit test rendering configs there raced with a running mesh.)
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_run_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DAPRSHOP_RUN_DIR", str(tmp_path / "run"))
