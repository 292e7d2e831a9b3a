"""Open-loop, constant-rate load generators.

- gRPC: ghz in `--async` mode (sends on the rate's schedule whether or not
  earlier calls have answered; latency from send to response).
- HTTP: vegeta (open loop by design: a late response never delays the next
  send; new workers are spawned as needed).
- Anything that needs per-request ids and timestamps (events): `open_loop`,
  a scheduler thread that starts each request as a future and measures latency
  from its *scheduled* time, so a stalled sender cannot hide queueing
  (coordinated omission).

Each run is one `Block`: every successful latency in ms plus error counts.
"""

from __future__ import annotations

import base64
import functools
import json
import resource
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from devmesh import bootstrap


class ToolMissing(RuntimeError):
    pass


@dataclass
class Block:
    label: str
    offered_rps: float
    duration_s: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    bodies: list[bytes] = field(default_factory=list)
    tool_cpu_ms: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=timeout, check=False)


# --- gRPC: ghz -------------------------------------------------------------------


def ghz_binary() -> Path:
    path = bootstrap.ghz_bin()
    if not path.exists():
        raise ToolMissing(f"{path.name} is missing: python3 -m devmesh.bootstrap")
    return path


def ghz(
    *,
    label: str,
    target: str,
    call: str,
    protoset: Path,
    data: dict[str, Any],
    metadata: dict[str, str],
    rps: float,
    duration_s: float,
    workdir: Path,
    skip_first: int = 0,
) -> Block:
    out = workdir / f"ghz-{uuid.uuid4().hex[:8]}.json"
    argv = [
        str(ghz_binary()),
        "--insecure",
        f"--protoset={protoset}",
        f"--call={call}",
        f"--data={json.dumps(data)}",
        f"--metadata={json.dumps(metadata)}",
        f"--rps={round(rps)}",
        f"--duration={duration_s}s",
        "--duration-stop=wait",
        "--async",
        "--concurrency=8",
        "--connections=1",
        "--cpus=1",
        "--timeout=10s",
        f"--skipFirst={skip_first}",
        "--format=json",
        f"--output={out}",
        target,
    ]
    cpu_before = _children_cpu_ms()
    result = _run(argv, timeout=duration_s + 60)
    block = Block(label, rps, duration_s, tool_cpu_ms=_children_cpu_ms() - cpu_before)
    if not out.exists():
        raise RuntimeError(
            f"ghz failed ({result.returncode}): {result.stderr.decode()[-500:]}"
        )
    report = json.loads(out.read_text())
    out.unlink()
    parse_ghz_details(report.get("details") or [], block)
    return block


def parse_ghz_details(details: Sequence[dict[str, Any]], block: Block) -> None:
    for item in details:
        if item.get("status", "OK") == "OK" and not item.get("error"):
            block.latencies_ms.append(item["latency"] / 1e6)
        else:
            block.errors += 1
            block.error_kinds[str(item.get("status") or item.get("error"))[:60]] += 1


# --- HTTP: vegeta ----------------------------------------------------------------


@dataclass(frozen=True)
class HttpTarget:
    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def vegeta_json(self) -> str:
        target: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "header": {k: [v] for k, v in self.headers.items()},
        }
        if self.body:
            target["body"] = base64.b64encode(self.body).decode()
        return json.dumps(target)


def vegeta_binary() -> Path:
    path = bootstrap.vegeta_bin()
    if not path.exists():
        raise ToolMissing(f"{path.name} is missing: python3 -m devmesh.bootstrap")
    return path


def vegeta(
    *,
    label: str,
    targets: Sequence[HttpTarget],
    rps: float,
    duration_s: float,
    workdir: Path,
    ok: Callable[[int, bytes], bool] | None = None,
    keep_bodies: bool = False,
) -> Block:
    """Attack `targets` round-robin (each once when there are enough of them).

    `ok(status, body)` decides success (default: HTTP 200).
    """
    tag = uuid.uuid4().hex[:8]
    targets_file = workdir / f"vegeta-{tag}.targets"
    results_file = workdir / f"vegeta-{tag}.bin"
    targets_file.write_text("\n".join(t.vegeta_json() for t in targets) + "\n")
    tool = str(vegeta_binary())
    cpu_before = _children_cpu_ms()
    attack = _run(
        [
            tool,
            "-cpus=1",
            "attack",
            "-format=json",
            f"-targets={targets_file}",
            f"-rate={round(rps)}/1s",
            f"-duration={duration_s}s",
            "-timeout=10s",
            "-workers=16",
            "-max-workers=2000",
            f"-output={results_file}",
        ],
        timeout=duration_s + 60,
    )
    if attack.returncode != 0:
        raise RuntimeError(f"vegeta attack: {attack.stderr.decode()[-500:]}")
    encoded = _run([tool, "encode", "-to=json", str(results_file)], timeout=120)
    block = Block(label, rps, duration_s, tool_cpu_ms=_children_cpu_ms() - cpu_before)
    targets_file.unlink()
    results_file.unlink()
    parse_vegeta_results(encoded.stdout.decode().splitlines(), block, ok, keep_bodies)
    return block


def parse_vegeta_results(
    lines: Sequence[str],
    block: Block,
    ok: Callable[[int, bytes], bool] | None = None,
    keep_bodies: bool = False,
) -> None:
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        body = base64.b64decode(item.get("body") or "")
        code = int(item.get("code", 0))
        if keep_bodies:
            block.bodies.append(body)
        good = not item.get("error") and (ok(code, body) if ok else code == 200)
        if good:
            block.latencies_ms.append(item["latency"] / 1e6)
        else:
            block.errors += 1
            kind = item.get("error") or f"HTTP {code}"
            block.error_kinds[str(kind)[:60]] += 1


# --- futures: scheduled sends --------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    index: int
    scheduled_wall: float  # time.time() at which the send was due
    done_wall: float | None  # None when it failed
    error: str = ""


class Pending(Protocol):
    """A request in flight: a `grpc.Future` or a `concurrent.futures.Future`."""

    def add_done_callback(self, fn: Callable[[Any], object]) -> None: ...

    def exception(self, timeout: float | None = None) -> BaseException | None: ...


def open_loop(
    start: Callable[[int], Pending],
    rps: float,
    duration_s: float,
    drain_s: float = 30.0,
) -> list[Scheduled]:
    """Start request `i` at t0 + i/rps for `duration_s`, never waiting for answers.

    One thread keeps the schedule with `time.sleep`; `start(i)` only hands the
    request to a client that runs it in the background (a gRPC stub's
    `.future`), and its completion callback stamps the time. Requests still
    open `drain_s` after the last start count as failed ("no answer").
    """
    count = int(rps * duration_s)
    start_mono = time.monotonic() + 0.05
    start_wall = time.time() + 0.05
    results: dict[int, Scheduled] = {}
    lock = threading.Lock()
    all_done = threading.Event()

    def record(result: Scheduled) -> None:
        with lock:
            results[result.index] = result
            if len(results) == count:
                all_done.set()

    def finished(index: int, due_wall: float, pending: Pending) -> None:
        now = time.time()
        err = pending.exception(timeout=0)
        if err is None:
            record(Scheduled(index, due_wall, now))
        else:
            record(Scheduled(index, due_wall, None, type(err).__name__))

    for index in range(count):
        offset = index / rps
        delay = start_mono + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        due_wall = start_wall + offset
        try:
            pending = start(index)
        except Exception as err:
            record(Scheduled(index, due_wall, None, type(err).__name__))
            continue
        pending.add_done_callback(functools.partial(finished, index, due_wall))
    if count and not all_done.wait(drain_s):
        with lock:
            for index in range(count):
                if index not in results:
                    due_wall = start_wall + index / rps
                    results[index] = Scheduled(index, due_wall, None, "no answer")
    with lock:
        return [results[i] for i in sorted(results)]
