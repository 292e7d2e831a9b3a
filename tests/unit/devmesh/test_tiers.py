"""`make test`'s runner: every tier runs; a failure shows in the table and exit code."""

from __future__ import annotations

import sys

import pytest

from devmesh import tiers


def _tier(name: str, code: int) -> tiers.Tier:
    return tiers.Tier(name, name, [sys.executable, "-c", f"raise SystemExit({code})"])


def test_a_failing_tier_fails_the_run_but_the_rest_still_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tiers, "TIERS", (_tier("a", 0), _tier("b", 3), _tier("c", 0)))
    assert tiers.main([]) == 1
    out = capsys.readouterr().out
    assert "a         pass" in out
    assert "b         FAIL 3" in out
    assert "c         pass" in out
    assert "total" in out


def test_only_picks_tiers_and_refuses_unknown_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tiers, "TIERS", (_tier("a", 0), _tier("b", 3)))
    assert tiers.main(["--only", "a"]) == 0
    assert "FAIL" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        tiers.main(["--only", "nope"])
