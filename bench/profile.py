"""`--profile NAME`: sample a Python process with py-spy while scenarios run.

The collapsed stacks py-spy writes (`--format raw`) are summarised into the
frames that were on CPU most (self) and the functions most time was spent
under (inclusive): a flame graph's answer, as text, beside the results.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from devmesh.paths import VENV


def py_spy() -> Path | None:
    local = VENV / "bin" / "py-spy"
    if local.exists():
        return local
    found = shutil.which("py-spy")
    return Path(found) if found else None


@dataclass(frozen=True)
class Summary:
    samples: int
    self_top: list[tuple[str, int]]
    inclusive_top: list[tuple[str, int]]

    def text(self, title: str) -> str:
        if not self.samples:
            return f"{title}: no samples\n"

        def share(n: int) -> str:
            return f"{100 * n / self.samples:5.1f}%"

        lines = [f"{title}: {self.samples} samples", "", "on CPU (self):"]
        lines += [f"  {share(n)}  {frame}" for frame, n in self.self_top]
        lines += ["", "under (inclusive):"]
        lines += [f"  {share(n)}  {frame}" for frame, n in self.inclusive_top]
        return "\n".join(lines) + "\n"


def summarize(collapsed: Iterable[str], top: int = 15) -> Summary:
    """From collapsed stacks (`a;b;c 12` per line, root first)."""
    own: Counter[str] = Counter()
    under: Counter[str] = Counter()
    total = 0
    for line in collapsed:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            under[frame] += n
    return Summary(total, own.most_common(top), under.most_common(top))


class Recorder:
    """py-spy attached to one process until `stop()`."""

    def __init__(self, pid: int, out: Path) -> None:
        tool = py_spy()
        if tool is None:
            raise RuntimeError("py-spy is missing (the bench dependency group)")
        self.out = out
        self.proc = subprocess.Popen(
            [
                str(tool),
                "record",
                "--pid",
                str(pid),
                "--format",
                "raw",
                "--rate",
                "100",
                "--nonblocking",
                "--subprocesses",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> Summary:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.out.exists():
            return Summary(0, [], [])
        return summarize(self.out.read_text().splitlines())
