"""`devmesh down` stops each resource's supervisor before its processes: a
process stopped from outside while its supervisor still runs would look like
a crash and be restarted (what `make down` did to `make run` before)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from devmesh.launcher import leftovers

# A stand-in supervisor: on SIGTERM it notes whether its child still runs,
# then ends. Its argv names devmesh, so `down` takes it for ours.
SUPERVISOR = """
import os, signal, sys, time
child, note = int(sys.argv[1]), sys.argv[2]
def stop(*_):
    try:
        os.kill(child, 0)
        alive = "child running"
    except ProcessLookupError:
        alive = "child gone"
    open(note, "w").write(alive)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
time.sleep(60)
"""


def _start(*argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", *argv])


def test_down_stops_the_supervisor_first_then_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leftovers, "run_dir", lambda _prof: tmp_path)
    child = _start("import time; time.sleep(60)", "devmesh-child")
    note = tmp_path / "note"
    supervisor = _start(SUPERVISOR, str(child.pid), str(note), "devmesh")
    pids = tmp_path / "pids"
    pids.mkdir()
    (pids / "notification.pid").write_text(str(child.pid))
    (pids / "notification.supervisor").write_text(str(supervisor.pid))
    time.sleep(0.5)  # the supervisor's handler is installed

    try:
        stopped = leftovers.kill_leftovers("full", grace=10)
        assert supervisor.wait(timeout=10) == 0
        assert child.wait(timeout=10) != 0
    finally:
        for proc in (child, supervisor):
            proc.kill()
    assert stopped == [supervisor.pid, child.pid]
    assert note.read_text() == "child running"  # the supervisor went first
    assert not list(pids.iterdir())
