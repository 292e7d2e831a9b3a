"""R6: what the idle mesh costs: resident memory and CPU of every process.

Runs first, after the mesh has settled, and records each process's idle CPU
rate, which the other scenarios subtract from their per-request CPU figures.
"""

from __future__ import annotations

import time
from dataclasses import replace

from bench import procstat
from bench.harness import Context, unavailable_rows
from bench.report import Row, at_most

DAPRD_RSS_MIB = 60.0
TEMPLATES = (
    Row("R6", "daprd idle RSS", None, "MiB", at_most(DAPRD_RSS_MIB)),
    Row("R6", "whole mesh idle RSS", None, "MiB"),
    Row("R6", "whole mesh idle PSS", None, "MiB"),
    Row("R6", "whole mesh idle CPU", None, "% of 1 core"),
)


def measure_idle(
    ctx: Context, settle_s: float, window_s: float
) -> tuple[dict[str, float], float, float]:
    """Each process's CPU over an idle window; records the idle rates the other
    scenarios subtract. Returns (CPU-ms per process, window, machine busy)."""
    time.sleep(settle_s)
    before = ctx.meter.cpu_ms()
    machine_before = procstat.cpu_totals()
    started = time.monotonic()
    time.sleep(window_s)
    wall = time.monotonic() - started
    spent = procstat.delta(before, ctx.meter.cpu_ms())
    machine = procstat.machine_busy_fraction(machine_before, procstat.cpu_totals())
    ctx.idle_ms_per_s = {name: ms / wall for name, ms in spent.items()}
    return spent, wall, machine


def run(ctx: Context) -> list[Row]:
    groups = ctx.meter.groups
    if not groups:
        return unavailable_rows(TEMPLATES, "nothing started")
    settings = ctx.settings
    spent, wall, machine = measure_idle(ctx, settings.settle_s, settings.idle_s)
    rss = ctx.meter.rss_mib()
    memory = ctx.meter.memory()

    processes = {
        name: {
            "rss_mib": round(rss[name], 1),
            "pss_mib": round(memory[name].pss / 1024, 1),
            "private_anon_mib": round(memory[name].anon / 1024, 1),
            "idle_cpu_pct_of_core": round(spent[name] / wall / 10, 2),
        }
        for name in sorted(groups)
    }
    ctx.raw["R6"] = {
        "window_s": round(wall, 1),
        "machine_busy": round(machine, 3),
        "processes": processes,
        "missing": dict(ctx.stack.down),
    }
    rows = [
        replace(
            TEMPLATES[1],
            value=sum(rss.values()),
            detail=f"{len(groups)} processes; largest "
            + ", ".join(
                f"{n} {rss[n]:.0f}" for n in sorted(rss, key=lambda n: -rss[n])[:3]
            ),
        ),
        replace(
            TEMPLATES[2],
            value=sum(m.pss for m in memory.values()) / 1024,
            detail="shared pages divided among the processes sharing them",
        ),
        replace(
            TEMPLATES[3],
            value=sum(spent.values()) / wall / 10,
            detail=f"{len(groups)} processes over {wall:.0f} s; "
            f"machine {machine:.0%} busy",
        ),
    ]
    sidecars = {n: v for n, v in rss.items() if n.endswith("-daprd")}
    for name in sorted(sidecars):
        rows.insert(
            len(rows) - 3,
            replace(
                TEMPLATES[0],
                figure=f"{name.removesuffix('-daprd')} daprd idle RSS",
                value=sidecars[name],
                detail=f"own (anonymous) {processes[name]['private_anon_mib']:.0f} "
                f"MiB, PSS {processes[name]['pss_mib']:.0f} MiB; the rest is "
                "the daprd binary's pages, shared by every sidecar",
            ),
        )
    if not sidecars:
        rows.insert(0, replace(TEMPLATES[0], detail="not available: no sidecar up"))
    return rows
