"""`make test`: every tier in order, then a table of what each took.

Each tier is one command (lint, or pytest over some folders and markers, on
one profile). A failing tier does not stop the others: the table at the end
shows every tier's result and time, and the exit code is non-zero if any
failed. `python -m devmesh.tiers --only unit,lite` runs a subset;
`--list` names them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

from devmesh.paths import REPO

PYTEST = [sys.executable, "-m", "pytest"]


@dataclass(frozen=True)
class Tier:
    name: str
    what: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


TIERS: tuple[Tier, ...] = (
    Tier(
        "lint",
        "ruff, mypy --strict, stubs, buf",
        ["make", "--no-print-directory", "lint"],
    ),
    Tier("unit", "fakes, no network", [*PYTEST, "tests/unit"]),
    Tier(
        "k8s",
        "deploy/ overlays: fresh, kubeconform-valid, policies (offline)",
        [*PYTEST, "tests/k8s", "-m", "k8s_offline"],
    ),
    Tier(
        "k8s-api",
        "dev overlay on a real kube-apiserver + Dapr operator/injector/Sentry",
        [sys.executable, "-m", "tests.k8s.api.netns", "tests/k8s", "-m", "k8s_api"],
    ),
    Tier(
        "images",
        "make images (buildah, cached by digest); the product image beside daprd",
        [*PYTEST, "tests/images", "-m", "images", "-s"],
    ),
    Tier(
        "full",
        "integration + e2e + security + browser, full profile (Kafka)",
        [
            *PYTEST,
            *("tests/integration", "tests/e2e", "tests/security", "tests/browser"),
            *("-m", "not tilt"),
        ],
    ),
    Tier(
        "faults",
        "one fault per test on the real mesh, verdict lines",
        [*PYTEST, "tests/faults", "-m", "faults", "-s"],
    ),
    Tier(
        "lite",
        "integration + security, lite profile (Redis Streams)",
        [*PYTEST, "tests/integration", "tests/security", "-m", "lite"],
        {"TEST_PROFILE": "lite"},
    ),
    Tier(
        "prod-local",
        "integration + e2e, prod components on local servers (SASL_SSL, TLS)",
        [*PYTEST, "tests/integration", "tests/e2e", "-m", "not tilt"],
        {"TEST_PROFILE": "prod-local"},
    ),
    Tier(
        "tilt",
        "tilt ci and a crash under tilt up",
        [*PYTEST, "tests/e2e", "-m", "tilt"],
    ),
)


@dataclass(frozen=True)
class Outcome:
    tier: Tier
    code: int
    seconds: float


def run(tier: Tier) -> Outcome:
    print(f"\n=== tier {tier.name}: {tier.what}", flush=True)
    started = time.monotonic()
    code = subprocess.call(tier.argv, cwd=REPO, env={**os.environ, **tier.env})
    if code == 5 and tier.argv[:3] == PYTEST:  # pytest: no test selected
        print(f"tier {tier.name} selected no test", flush=True)
    return Outcome(tier, code, time.monotonic() - started)


def table(outcomes: list[Outcome]) -> str:
    lines = ["", "tier      result  time", "--------  ------  --------"]
    for o in outcomes:
        result = "pass" if o.code == 0 else f"FAIL {o.code}"
        lines.append(f"{o.tier.name:<8}  {result:<6}  {_clock(o.seconds)}")
    total = sum(o.seconds for o in outcomes)
    lines.append(f"{'total':<8}  {'':<6}  {_clock(total)}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes:>3d}m{rest:02d}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated tier names")
    parser.add_argument("--list", action="store_true", help="list the tiers")
    args = parser.parse_args(argv)
    if args.list:
        for tier in TIERS:
            print(f"{tier.name:<8}  {tier.what}")
        return 0
    wanted = set(args.only.split(",")) if args.only else {t.name for t in TIERS}
    unknown = wanted - {t.name for t in TIERS}
    if unknown:
        parser.error(f"unknown tier(s): {', '.join(sorted(unknown))}")
    outcomes = [run(tier) for tier in TIERS if tier.name in wanted]
    print(table(outcomes), flush=True)
    return 0 if all(o.code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
