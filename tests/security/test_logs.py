"""After the run, no token and no private key is written in any process log."""

from __future__ import annotations

from pathlib import Path

import pytest

from devmesh import trust

pytestmark = [pytest.mark.security, pytest.mark.lite]


def _secrets(run_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for app, pair in trust.api_tokens().items():
        found[f"{app} DAPR_API_TOKEN"] = pair.dapr
        found[f"{app} APP_API_TOKEN"] = pair.app
    for jwt in (run_dir / "sentry-tokens").glob("*.jwt"):
        found[f"Sentry token {jwt.name}"] = jwt.read_text().strip()
    for key in (trust.JWT_KEY, trust.CA_DIR / "issuer.key"):
        body = "".join(
            line for line in key.read_text().splitlines() if "-----" not in line
        )
        found[str(key)] = body[:64]
    return found


def test_no_secret_in_any_log(mesh: object) -> None:
    run_dir = mesh.log_dir.parent  # type: ignore[attr-defined]
    logs = list(mesh.log_dir.glob("*.log"))  # type: ignore[attr-defined]
    assert logs, "no process log to check"
    secrets = _secrets(run_dir)
    assert len(secrets) >= 12
    for log in logs:
        text = log.read_text(errors="replace")
        leaked = [what for what, value in secrets.items() if value in text]
        assert not leaked, f"{log.name} contains {', '.join(leaked)}"
