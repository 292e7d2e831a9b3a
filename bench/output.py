"""Writing a run's results: JSON and Markdown, the plot, and the committed copies.

bench/results/ (gitignored) gets every run; a full run of every scenario also
refreshes the committed bench/RESULTS.md and bench/latency.png.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import plot
from bench.harness import Context, Settings
from bench.report import Row, render_markdown, tally
from bench.stack import Stack
from devmesh import pins
from devmesh.paths import REPO

BENCH = REPO / "bench"
RESULTS = BENCH / "results"

METHOD = """\
Open-loop constant-rate load (ghz `--async` for gRPC, vegeta for HTTP, an
asyncio scheduler timing from each event's scheduled send for pub/sub), one
warm-up block per side, then the sides of each comparison in alternating blocks
(A B B A …; A B C C B A … for R2's three) so all see the same machine.
Percentiles are exact (nearest rank over every recorded latency). CPU per
request is utime+stime from `/proc/<pid>/stat` of each process (with its
children) before and after its side's blocks, minus that process's idle CPU
measured in R6, divided by the requests sent. Tracing sampling is 0 except in
the rows marked "tracing on". The mesh is the full profile (Kafka) on
127.0.0.1, on the bench's own ports and run folder, started fresh for the run."""


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except OSError:
        return "unknown"


def _machine() -> str:
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return (
        f"{os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def write(
    rows: Sequence[Row],
    ctx: Context | None,
    settings: Settings,
    timings: dict[str, float],
    stack: Stack,
    partial: bool,
) -> list[Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    meta: dict[str, Any] = {
        "when": when.isoformat(),
        "mode": "quick" if settings.quick else "full",
        "commit": _git_commit(),
        "machine": _machine(),
        "daprd": pins.DAPR,
        "calling sidecar": stack.caller_kind,
        "not available": dict(stack.down),
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
    }
    series = ctx.series if ctx else []
    document = {
        "meta": meta,
        "summary": tally(rows),
        "rows": [r.as_dict() for r in rows],
        "series": [{"name": s.name, "points": s.points} for s in series],
        "raw": ctx.raw if ctx else {},
    }
    json_path = RESULTS / "latest.json"
    json_path.write_text(json.dumps(document, indent=2, default=_nan_free) + "\n")
    png = RESULTS / "latency.png"
    has_plot = plot.draw(
        series, png, f"daprshop mesh, {meta['machine'].split(',')[0]} — {when:%Y-%m-%d}"
    )
    markdown = render(rows, meta, ctx, has_plot)
    md_path = RESULTS / "latest.md"
    md_path.write_text(markdown)
    paths = [json_path, md_path]
    if has_plot:
        paths.append(png)
    if not settings.quick and not partial:
        (BENCH / "RESULTS.md").write_text(markdown)
        paths.append(BENCH / "RESULTS.md")
        if has_plot:
            shutil.copyfile(png, BENCH / "latency.png")
            paths.append(BENCH / "latency.png")
    return paths


def _nan_free(value: object) -> object:
    return str(value)


def render(
    rows: Sequence[Row], meta: dict[str, Any], ctx: Context | None, has_plot: bool
) -> str:
    counts = tally(rows)
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` ({meta['mode']} run) on {meta['when']}, commit "
        f"`{meta['commit']}`; {meta['machine']}; daprd {meta['daprd']}.",
        "",
        f"**{counts['pass']} pass, {counts['miss']} miss, {counts['info']} "
        f"for information, {counts['n/a']} not available.**",
        "",
        render_markdown(rows),
        "",
        "## How it was measured",
        "",
        METHOD,
        "",
    ]
    if meta["calling sidecar"]:
        lines += [f"R1's calling sidecar: {meta['calling sidecar']}.", ""]
    if has_plot:
        lines += [
            "## Latency against offered rate",
            "",
            "![latency percentiles against offered rate](latency.png)",
            "",
            "Latencies in ms; CPU-ms per request, idle subtracted; machine busy "
            "is the share of both cores in use during the step.",
            "",
        ]
    for one in ctx.series if ctx else []:
        lines += series_table(one.name, one.points)
    footprint = (ctx.raw.get("R6") if ctx else None) or {}
    if footprint.get("processes"):
        lines += [
            f"## Idle footprint per process (R6, {footprint['window_s']} s window)",
            "",
            "| process | RSS (MiB) | PSS (MiB) | own anonymous (MiB) "
            "| idle CPU (% of a core) |",
            "|---|---|---|---|---|",
        ]
        for name, item in footprint["processes"].items():
            lines.append(
                f"| {name} | {item['rss_mib']} | {item['pss_mib']} "
                f"| {item['private_anon_mib']} | {item['idle_cpu_pct_of_core']} |"
            )
        lines.append("")
    profiles = (ctx.raw.get("profiles") if ctx else None) or {}
    if profiles:
        lines += ["## Profiles (py-spy)", ""]
        for text in profiles.values():
            lines += ["```", *text.splitlines()[:30], "```", ""]
    if meta["not available"]:
        lines += ["## Not available in this run", ""]
        lines += [f"- `{k}`: {v}" for k, v in meta["not available"].items()]
        lines.append("")
    lines += [
        "## Phases",
        "",
        ", ".join(f"{k} {v:.0f} s" for k, v in meta["timings_s"].items()),
        "",
    ]
    return "\n".join(lines)


def series_table(name: str, points: Sequence[dict[str, Any]]) -> list[str]:
    """One rate step per line: latency percentiles and whatever else was kept."""
    if not points:
        return []
    keys: list[str] = []
    for point in points:
        keys += [k for k in point if k not in keys]

    def cell(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.3g}"
        return str(value)

    header = ["rate (rps)" if k == "rps" else k.replace("_", " ") for k in keys]
    return [
        f"### {name}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(keys),
        *("| " + " | ".join(cell(p.get(k)) for k in keys) + " |" for p in points),
        "",
    ]
