"""What every scenario shares: settings, the run context, and the A/B runner.

`alternate` runs the sides of a comparison in alternating blocks (A B B A
A B …, or A B C C B A … for three) after one warm-up block each, so all see the
same machine, and charges each side the CPU its processes used during its own
blocks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench import procstat
from bench.loadgen import Block
from bench.report import Row, Series
from bench.stack import Stack
from bench.stats import Latency, cpu_ms_per_request, summarize


@dataclass(frozen=True)
class Settings:
    quick: bool
    warm_s: float  # one discarded block per side before measuring
    block_s: float  # length of one measured block
    blocks: int  # measured blocks per side
    settle_s: float  # R6: wait after start before measuring idle
    idle_s: float  # R6: idle measuring window
    sweep_rps: tuple[int, ...]  # R1 rate sweep (plot)
    products_ladder: tuple[int, ...]  # R5
    orders_ladder: tuple[int, ...]  # R5
    ladder_step_s: float
    events_block_s: float  # R4
    events_blocks: int
    tracing: bool  # R1 again with tracing sampling 1

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            # A smoke run: every scenario once, one short block per side.
            return cls(
                quick=True,
                warm_s=0.5,
                block_s=1.5,
                blocks=1,
                settle_s=1,
                idle_s=2,
                sweep_rps=(),
                products_ladder=(50, 150),
                orders_ladder=(10, 30),
                ladder_step_s=1.5,
                events_block_s=2,
                events_blocks=1,
                tracing=False,
            )
        return cls(
            quick=False,
            warm_s=2,
            block_s=4,
            blocks=4,
            settle_s=10,
            idle_s=8,
            sweep_rps=(50, 100, 200, 400),
            products_ladder=(50, 100, 150, 200, 250, 300, 350, 400, 500),
            orders_ladder=(5, 10, 25, 50, 75, 100, 150),
            ladder_step_s=5,
            events_block_s=8,
            events_blocks=2,
            tracing=True,
        )

    @property
    def short_blocks(self) -> int:
        """Blocks per side for the secondary comparisons (R3, tracing on)."""
        return max(1, self.blocks // 2)


@dataclass
class Context:
    settings: Settings
    stack: Stack
    workdir: Path
    env: dict[str, str]  # the mesh's shared environment (tokens, addresses)
    meter: procstat.Meter = field(init=False)
    idle_ms_per_s: dict[str, float] = field(default_factory=dict)
    series: list[Series] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)  # extra data for the JSON

    def __post_init__(self) -> None:
        self.refresh_processes()

    def refresh_processes(self) -> None:
        """Re-read the pidfiles (after a restart)."""
        self.meter = procstat.Meter(self.stack.groups())

    def has_processes(self, *names: str) -> bool:
        return all(n in self.meter.groups for n in names)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: how to run a block, and which processes pay."""

    name: str
    run: Callable[[float, float], Block]  # (rps, seconds) -> Block
    processes: Sequence[str]


@dataclass
class SideResult:
    name: str
    latency: Latency
    cpu_ms: dict[str, float]  # per request, per process, idle subtracted
    requests: int
    wall_s: float
    machine_busy: float  # the busiest block's share of both cores (0..1)
    tool_cpu_ms: float  # per request, the load generator itself
    error_kinds: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency.as_dict(),
            "cpu_ms_per_request": {
                k: (None if math.isnan(v) else round(v, 4))
                for k, v in self.cpu_ms.items()
            },
            "requests": self.requests,
            "wall_s": round(self.wall_s, 2),
            "machine_busy_max": round(self.machine_busy, 3),
            "load_tool_cpu_ms_per_request": round(self.tool_cpu_ms, 4),
            "errors": self.error_kinds,
        }


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_ms: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0
    busy: float = 0.0
    tool_cpu_ms: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


def measure(
    ctx: Context, side: Side, rps: float, seconds: float
) -> tuple[Block, dict[str, float], float, float]:
    """One block with the CPU of the side's processes and the machine around it."""
    before_cpu = ctx.meter.cpu_ms()
    before_machine = procstat.cpu_totals()
    started = time.monotonic()
    block = side.run(rps, seconds)
    wall = time.monotonic() - started
    spent = procstat.delta(before_cpu, ctx.meter.cpu_ms())
    busy = procstat.machine_busy_fraction(before_machine, procstat.cpu_totals())
    return block, {p: spent.get(p, math.nan) for p in side.processes}, wall, busy


def settle(
    ctx: Context,
    names: Sequence[str],
    busy_pct: float = 5.0,
    max_s: float = 30.0,
    step_s: float = 0.5,
) -> float:
    """Wait until the named processes are nearly idle again (e.g. done with the
    events a fixture caused). Returns the seconds waited."""
    started = time.monotonic()
    calm = 0
    before = ctx.meter.cpu_ms()
    while time.monotonic() - started < max_s and calm < 2:
        time.sleep(step_s)
        after = ctx.meter.cpu_ms()
        spent = sum(after.get(n, 0.0) - before.get(n, 0.0) for n in names)
        calm = calm + 1 if spent / (step_s * 10) < busy_pct else 0
        before = after
    return time.monotonic() - started


def alternate(
    ctx: Context,
    sides: Sequence[Side],
    rps: float,
    blocks: int | None = None,
    block_s: float | None = None,
    warm_s: float | None = None,
) -> dict[str, SideResult]:
    settings = ctx.settings
    blocks = settings.blocks if blocks is None else blocks
    block_s = settings.block_s if block_s is None else block_s
    warm_s = settings.warm_s if warm_s is None else warm_s
    if warm_s > 0:
        for side in sides:
            side.run(rps, warm_s)
    tallies = {side.name: _Tally() for side in sides}
    for index in range(blocks):
        ordered = list(sides) if index % 2 == 0 else list(reversed(sides))
        for side in ordered:
            block, spent, wall, busy = measure(ctx, side, rps, block_s)
            tally = tallies[side.name]
            tally.latencies += block.latencies_ms
            tally.errors += block.errors
            tally.wall_s += wall
            tally.busy = max(tally.busy, busy)
            tally.tool_cpu_ms += block.tool_cpu_ms
            for kind, n in block.error_kinds.items():
                tally.kinds[kind] = tally.kinds.get(kind, 0) + n
            for proc, ms in spent.items():
                tally.cpu_ms[proc] = tally.cpu_ms.get(proc, 0.0) + ms
    out = {}
    for side in sides:
        tally = tallies[side.name]
        requests = len(tally.latencies) + tally.errors
        out[side.name] = SideResult(
            name=side.name,
            latency=summarize(tally.latencies, tally.errors),
            cpu_ms={
                proc: cpu_ms_per_request(
                    ms, requests, ctx.idle_ms_per_s.get(proc, 0.0), tally.wall_s
                )
                for proc, ms in tally.cpu_ms.items()
            },
            requests=requests,
            wall_s=tally.wall_s,
            machine_busy=tally.busy,
            tool_cpu_ms=tally.tool_cpu_ms / requests if requests else math.nan,
            error_kinds=tally.kinds,
        )
    return out


def describe(result: SideResult) -> str:
    lat = result.latency
    text = f"{result.name}: p50 {lat.p50:.2f} / p99 {lat.p99:.2f} ms, n={lat.count}"
    if lat.errors:
        text += f", {lat.errors} errors"
    return text


def busy_note(results: Sequence[SideResult], limit: float = 0.7) -> str:
    busiest = max((r.machine_busy for r in results), default=0.0)
    if busiest > limit:
        return f"; machine {busiest:.0%} busy (> {limit:.0%})"
    return ""


def unavailable_rows(templates: Sequence[Row], why: str) -> list[Row]:
    """The scenario's rows, each saying why it could not be measured."""
    return [
        replace(row, value=None, detail=f"not available: {why}") for row in templates
    ]
