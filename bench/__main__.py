"""`python -m bench [--quick]`: measure the mesh and print the results table.

Starts its own full-profile mesh (ports shifted by OFFSETS['bench'], run folder
~/.cache/daprshop/run/bench), runs the scenarios R1-R6 of issue 5 with
open-loop load, stops the mesh, prints the table and writes
bench/results/latest.{json,md}, bench/RESULTS.md and bench/latency.png.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.harness import Settings
from bench.report import Row, beside
from bench.stack import configure_environment


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    run: Callable[[Any], list[Row]]  # (Context) -> rows


def scenarios() -> list[Scenario]:
    from bench import events, footprint, invocation, ladder, layer, reads

    # R6 first: the idle figures are taken before any load, and the others
    # subtract each process's idle CPU. R1n, R1m and R1t restart sidecars
    # (each rerun restores the settings the previous one changed): last.
    return [
        Scenario("R6", "footprint of the idle mesh", footprint.run),
        Scenario("R1", "service call through two sidecars", invocation.run),
        Scenario("R2", "GraphQL layer vs a plain route", layer.run_layer),
        Scenario("R5", "rate ladders", ladder.run),
        # R3 after R5: its never-read products grow the catalog, and FerretDB
        # scans the whole collection for a lookup, slowing what follows.
        Scenario("R3", "cached product reads", reads.run_cache),
        Scenario("R4", "order-created to email, over Kafka", events.run),
        Scenario("R1n", "R1 with mTLS off", invocation.run_without_mtls),
        Scenario("R1m", "R1 with sidecar metrics off", invocation.run_without_metrics),
        Scenario("R1t", "R1 with tracing on", invocation.run_traced),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run in under a minute"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios, e.g. R1,R6"
    )
    parser.add_argument(
        "--profile",
        default="",
        help="comma-separated Python processes to sample with py-spy during "
        "each scenario, e.g. notification,gateway",
    )
    args = parser.parse_args(argv)
    run_dir = configure_environment()
    settings = Settings.for_mode(args.quick)
    if not settings.quick:
        # A full run starts from empty databases and topics: FerretDB's scans,
        # for one, grow with the catalog, so leftovers make runs incomparable.
        # A smoke run reuses them (saves initialising MariaDB and Kafka).
        shutil.rmtree(run_dir, ignore_errors=True)

    from bench import output
    from bench.harness import Context
    from bench.report import render_text
    from bench.stack import PROFILE, Stack
    from devmesh import launcher

    wanted = {k.strip().upper() for k in args.only.split(",") if k.strip()}
    chosen = [s for s in scenarios() if not wanted or s.key.upper() in wanted]
    if not settings.tracing:
        chosen = [s for s in chosen if s.key not in ("R1m", "R1t")]
    started = time.monotonic()
    rows: list[Row] = []
    timings: dict[str, float] = {}
    stack = Stack(ready_timeout=45 if settings.quick else 120)
    ctx = None
    try:
        say(f"starting the bench mesh (profile {PROFILE}, run folder {run_dir})")
        stack.start()
        timings["mesh start"] = time.monotonic() - started
        if stack.down:
            for name, why in stack.down.items():
                say(f"  not available: {name}: {why}")
        workdir = run_dir / "bench-work"
        workdir.mkdir(parents=True, exist_ok=True)
        ctx = Context(settings, stack, workdir, launcher.shared_env(PROFILE))
        if "R6" not in {s.key for s in chosen}:
            from bench.footprint import measure_idle

            say("measuring idle CPU (subtracted from per-request figures)")
            measure_idle(ctx, settle_s=2, window_s=3)
        for scenario in chosen:
            say(f"{scenario.key}: {scenario.title}")
            began = time.monotonic()
            recorders = start_profiles(ctx, args.profile, scenario.key)
            try:
                rows += scenario.run(ctx)
            except Exception as err:  # one scenario's failure is one row
                traceback.print_exc(file=sys.stderr)
                rows.append(
                    Row(
                        scenario.key[:2],
                        scenario.title,
                        None,
                        detail=f"failed: {type(err).__name__}: {err}"[:300],
                    )
                )
            finally:
                stop_profiles(ctx, recorders)
            timings[scenario.key] = time.monotonic() - began
    finally:
        say("stopping the bench mesh")
        stack.stop()
    timings["total"] = time.monotonic() - started
    # mTLS on (R1) and off (R1n), row by row.
    rows = beside(rows, "R1", "R1n")
    paths = output.write(rows, ctx, settings, timings, stack, partial=bool(wanted))
    print()
    print(render_text(rows))
    print()
    say(f"done in {timings['total']:.0f} s; " + ", ".join(str(p) for p in paths))
    return 0


def start_profiles(ctx: Any, names: str, scenario: str) -> dict[str, Any]:
    from bench.output import RESULTS
    from bench.profile import Recorder

    recorders = {}
    for name in filter(None, (n.strip() for n in names.split(","))):
        if scenario == "R6" or name not in ctx.meter.groups:
            continue
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"profile-{name}-{scenario}.collapsed"
        recorders[f"{name} during {scenario}"] = Recorder(
            ctx.meter.groups[name][0], out
        )
    return recorders


def stop_profiles(ctx: Any, recorders: dict[str, Any]) -> None:
    for title, recorder in recorders.items():
        summary = recorder.stop()
        text = summary.text(title)
        recorder.out.with_suffix(".txt").write_text(text)
        ctx.raw.setdefault("profiles", {})[title] = text
        say(f"profile: {recorder.out.with_suffix('.txt')}")


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
