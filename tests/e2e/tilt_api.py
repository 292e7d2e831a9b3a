"""A headless `tilt up` over the real Tiltfile, read through Tilt's own API
(`tilt get uiresource`, `tilt logs`), as the Tilt tier's tests drive it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devmesh import bootstrap, pins

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TiltUp:
    """`tilt up` on its own web/API port, with the mesh's env (offset, run
    folder, profile); its output goes to `log`."""

    def __init__(self, env: dict[str, str], args: list[str], log: Path) -> None:
        self.tilt = bootstrap.tilt_bin()
        assert self.tilt.exists(), f"tilt {pins.TILT} is missing: `make bootstrap`"
        self.port = free_port()
        self.env = {**os.environ, **env, "TILT_DISABLE_ANALYTICS": "1"}
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [str(self.tilt), "up", f"--port={self.port}", "--stream"]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*argv, "--", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        """SIGTERM: Tilt stops every serve command (their supervisors stop
        their processes); SIGKILL for the group after 60 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def _cli(self, *args: str) -> str:
        out = subprocess.run(
            [str(self.tilt), *args, "--port", str(self.port)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout if out.returncode == 0 else ""

    def resources(self) -> dict[str, dict[str, Any]]:
        """Each enabled resource's UIResource status, by name ({} while Tilt
        does not answer yet)."""
        raw = self._cli("get", "uiresource", "-o", "json")
        if not raw:
            return {}
        items = json.loads(raw).get("items") or []
        return {
            item["metadata"]["name"]: item.get("status", {})
            for item in items
            if item["metadata"]["name"] != "(Tiltfile)"
            and item.get("status", {}).get("disableStatus", {}).get("state")
            != "Disabled"
        }

    def trigger(self, name: str) -> None:
        subprocess.run(
            [str(self.tilt), "trigger", name, "--port", str(self.port)],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=30,
        )

    def logs(self, name: str) -> str:
        return self._cli("logs", name)

    def tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait(
        self, what: str, until: Callable[[], bool], timeout: float, every: float = 1
    ) -> float:
        """Seconds until `until()` held; fails with Tilt's last lines if not."""
        began = time.monotonic()
        while not until():
            assert self.proc is not None and self.proc.poll() is None, (
                f"tilt up exited with {self.proc and self.proc.returncode}:\n"
                + self.tail()
            )
            assert time.monotonic() - began < timeout, (
                f"{what}: not after {timeout:.0f}s\n{self.tail()}"
            )
            time.sleep(every)
        return time.monotonic() - began


def ready(status: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def runtime(status: dict[str, Any]) -> str:
    return str(status.get("runtimeStatus", ""))
