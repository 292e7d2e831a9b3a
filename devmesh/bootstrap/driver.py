"""Install every part the mesh needs, reusing what is already cached.

Runs on the machine's own python3 before any virtualenv exists, so it uses the
standard library only. Each part checks its cached artifact first; a warm run
takes seconds. Long steps print a heartbeat and their timing.

    python3 -m devmesh.bootstrap            # everything
    python3 -m devmesh.bootstrap --only daprd,kafka
    python3 -m devmesh.bootstrap --with ghz,vegeta   # plus optional parts
    python3 -m devmesh.bootstrap --list     # what is installed
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from devmesh.bootstrap import (
    apt,
    buf,
    dapr_control_plane,
    daprd,
    etcd,
    ferretdb,
    ghz,
    graphiql,
    images,
    k8s_schemas,
    kafka,
    kube_apiserver,
    kubeconform,
    kustomize,
    mailpit,
    oidc,
    prometheus,
    protoc_gen_go,
    python_env,
    sentry,
    storefront,
    tilt,
    vegeta,
    zipkin,
)
from devmesh.bootstrap.shared import Part, StepFailed, log_path
from devmesh.paths import BIN, LOGS, SRC

# In install order: graphiql reads the venv's strawberry.
PARTS: tuple[Part, ...] = (
    apt.PART,
    python_env.PART,
    kafka.PART,
    oidc.PART,
    zipkin.PART,
    ferretdb.PART,
    mailpit.PART,
    daprd.PART,
    sentry.PART,
    prometheus.PART,
    tilt.PART,
    graphiql.PART,
    storefront.PART,
    buf.PART,
    protoc_gen_go.PART,
    kustomize.PART,
    kubeconform.PART,
    k8s_schemas.PART,
    etcd.PART,
    kube_apiserver.PART,
    dapr_control_plane.PART,
    ghz.PART,
    vegeta.PART,
    images.PART,
)


def _heartbeat(name: str, started: float, stop: threading.Event) -> None:
    while not stop.wait(30):
        print(
            f"      … {name} still running ({_fmt(time.monotonic() - started)}),"
            f" log: {log_path(name)}",
            flush=True,
        )


def _fmt(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def run(selected: list[Part]) -> int:
    for d in (BIN, SRC, LOGS):
        d.mkdir(parents=True, exist_ok=True)
    total_start = time.monotonic()
    timings: list[tuple[str, str]] = []
    for index, part in enumerate(selected, 1):
        prefix = f"[{index}/{len(selected)}] {part.what}"
        if part.ready():
            print(f"{prefix}: cached", flush=True)
            timings.append((part.name, "cached"))
            continue
        print(f"{prefix}: installing (cold: {part.cold_hint})", flush=True)
        started = time.monotonic()
        stop = threading.Event()
        beat = threading.Thread(
            target=_heartbeat, args=(part.name, started, stop), daemon=True
        )
        beat.start()
        try:
            part.install()
        except StepFailed as err:
            print(f"FAILED {err}", file=sys.stderr, flush=True)
            return 1
        finally:
            stop.set()
        took = _fmt(time.monotonic() - started)
        timings.append((part.name, took))
        print(f"      done in {took}", flush=True)
    print(
        f"bootstrap complete in {_fmt(time.monotonic() - total_start)}: "
        + ", ".join(f"{n} {t}" for n, t in timings),
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m devmesh.bootstrap",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", help="comma-separated part names")
    parser.add_argument("--skip", default="", help="comma-separated part names")
    parser.add_argument(
        "--with",
        dest="extra",
        default="",
        help="optional parts to add, e.g. ghz,vegeta (make bench)",
    )
    parser.add_argument("--list", action="store_true", help="list parts and exit")
    args = parser.parse_args(argv)
    if args.list:
        for part in PARTS:
            state = "cached" if part.ready() else "missing"
            print(f"{part.name:10} {state:8} {part.what}")
        return 0
    wanted = (
        set(args.only.split(","))
        if args.only
        else {p.name for p in PARTS if not p.optional}
    )
    wanted |= set(filter(None, args.extra.split(",")))
    wanted -= set(filter(None, args.skip.split(",")))
    unknown = wanted - {p.name for p in PARTS}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return run([p for p in PARTS if p.name in wanted])
