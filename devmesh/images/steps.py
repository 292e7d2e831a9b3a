"""Running the build's commands: output to a log, progress on the terminal."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from devmesh.paths import LOGS


class BuildFailed(RuntimeError):
    pass


def log_path() -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / "images.log"


def say(message: str) -> None:
    print(f"images: {message}", flush=True)


def _heartbeat(what: str, started: float, stop: threading.Event) -> None:
    while not stop.wait(20):
        say(f"  … {what}: {time.monotonic() - started:.0f}s (log: {log_path()})")


def step(what: str, argv: list[str], env: dict[str, str] | None = None) -> None:
    """Run one long command, saying what it is, how long it took, and every
    20 s that it is still going."""
    say(f"{what} …")
    started = time.monotonic()
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(what, started, stop), daemon=True).start()
    try:
        run(argv, env)
    finally:
        stop.set()
    say(f"  done in {time.monotonic() - started:.1f}s")


def run(argv: list[str], env: dict[str, str] | None = None) -> str:
    """Run a command; its stdout (stderr goes to the log); BuildFailed with
    the log's tail when it fails."""
    with log_path().open("a") as log:
        log.write(f"\n$ {' '.join(argv)}\n")
        log.flush()
        result = subprocess.run(
            argv,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
        log.write(result.stdout[-4000:])
    if result.returncode != 0:
        tail = log_path().read_text(errors="replace").splitlines()[-20:]
        raise BuildFailed(
            f"`{' '.join(argv)}` exited {result.returncode}:\n"
            + "\n".join("    " + line for line in tail)
        )
    return result.stdout
