"""The supervisor behind `devmesh run NAME`, with real (tiny) processes: a
crash is restarted after its backoff and said so; one crash too many is given
up on loudly, and the partner process is stopped with it."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from devmesh.launcher.restarts import RestartPolicy
from devmesh.launcher.supervise import Child, _supervise


def _child(role: str, code: str, limit: int) -> Child:
    def command() -> tuple[list[str], dict[str, str]]:
        return [sys.executable, "-c", code], {}

    child = Child(role, command, policy=RestartPolicy(limit=limit, window=60))
    child.start()
    return child


def test_a_process_that_keeps_crashing_is_given_up_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _child("app", "import sys; sys.exit(3)", limit=1)
    partner = _child("daprd", "import time; time.sleep(60)", limit=1)
    pidfile = tmp_path / "notification.pid"

    began = time.monotonic()
    code = _supervise("notification", [app, partner], threading.Event(), pidfile)

    err = capsys.readouterr().err
    assert code == 3
    assert "app (pid" in err and "exited with 3; restarting it in 1s" in err
    assert "(crash 1 of at most 1 within 60s)" in err
    assert "app restarted (pid " in err
    assert (
        "GIVING UP: app exited with 3, crash 2 within 60s (at most 1 are"
        " restarted); stopping notification" in err
    )
    assert partner.exit_code() is not None, "the partner was left running"
    assert time.monotonic() - began >= 1.0  # the backoff was waited


def test_a_restarted_process_is_recorded_and_a_stop_ends_without_restarts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flag = tmp_path / "crashed-once"
    once = (
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(flag)!r})\n"
        "if not p.exists():\n    p.touch(); sys.exit(1)\n"
        "time.sleep(60)\n"
    )
    app = _child("app", once, limit=5)
    first = app.proc.pid if app.proc else 0
    pidfile = tmp_path / "order.pid"
    stopping = threading.Event()

    def stop_after_restart() -> None:
        while app.proc is None or app.proc.pid == first:
            time.sleep(0.05)
        time.sleep(0.3)
        stopping.set()

    threading.Thread(target=stop_after_restart, daemon=True).start()
    assert _supervise("order", [app], stopping, pidfile) == 0
    assert app.proc is not None and app.proc.pid != first
    assert pidfile.read_text() == str(app.proc.pid)
    assert app.exit_code() is not None, "a stop leaves nothing running"
    assert "GIVING UP" not in capsys.readouterr().err
