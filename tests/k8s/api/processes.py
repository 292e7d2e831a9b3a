"""Start and stop the API-server tier's processes, each logging to a file in
the run folder; stop exactly the processes started here."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx


class Processes:
    def __init__(self, run: Path) -> None:
        self.run = run
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> None:
        log = (self.run / f"{name}.log").open("ab")
        self.started[name] = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )

    def log(self, name: str) -> str:
        return (self.run / f"{name}.log").read_text(errors="replace")

    def wait(self, name: str, ready: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.started[name]
            if proc.poll() is not None:
                tail = self.log(name)[-3000:]
                raise AssertionError(f"{name} exited {proc.returncode}:\n{tail}")
            try:
                if ready():
                    return
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.3)
        raise AssertionError(
            f"{name} not ready in {timeout}s:\n{self.log(name)[-3000:]}"
        )

    def stop(self) -> None:
        for proc in reversed(list(self.started.values())):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.started.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def http_ok(url: str, **kwargs: object) -> Callable[[], bool]:
    def check() -> bool:
        return httpx.get(url, timeout=2, **kwargs).status_code == 200  # type: ignore[arg-type]

    return check
