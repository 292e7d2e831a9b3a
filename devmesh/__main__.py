"""Command line of the developer tooling.

python -m devmesh run NAME      run one resource in the foreground (Tilt's serve_cmd)
python -m devmesh up            start the whole mesh without Tilt, until Ctrl-C
python -m devmesh down          stop whatever a crashed run left behind
python -m devmesh resources     the resource table as JSON (read by the Tiltfile)
python -m devmesh status        which resources answer their readiness probe
python -m devmesh metrics       one screen of the mesh's metrics (apps and sidecars)
python -m devmesh dlq ...       dead letters: list, show ID, replay ID...
python -m devmesh rotate-ca     forget the CA and Sentry's token key (new at next start)
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from urllib.parse import urlparse

from devmesh import dlq, launcher, mesh, trust


def _probe(spec: launcher.Proc) -> dict[str, object]:
    """The readiness probe as Tilt wants it: an HTTP GET or a TCP connect."""
    if spec.ready_url:
        url = urlparse(spec.ready_url)
        return {
            "probe": "http",
            "port": url.port,
            "path": url.path,
            "failures": spec.probe_failures,
        }
    return {"probe": "tcp", "port": spec.ready_port, "failures": spec.probe_failures}


def _resources_json(profile: str) -> str:
    table = launcher.specs(profile)
    return json.dumps(
        [
            {
                "name": spec.name,
                "deps": [d for d in spec.deps if d in table],
                "labels": list(spec.labels),
                "links": [{"url": url, "name": name} for url, name in spec.links],
                **_probe(spec),
            }
            for spec in table.values()
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="devmesh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run")
    run_p.add_argument("name")
    sub.add_parser("up")
    sub.add_parser("down")
    sub.add_parser("resources")
    sub.add_parser("status")
    sub.add_parser("metrics")
    dlq.add_commands(sub.add_parser("dlq", help="dead letters: list, show, replay"))
    rotate_p = sub.add_parser("rotate-ca", help="stop every mesh first")
    rotate_p.add_argument(
        "--tokens", action="store_true", help="also the per-app API tokens"
    )
    args = parser.parse_args(argv)
    profile = launcher.profile()

    if args.command == "run":
        return launcher.run(args.name, profile)
    if args.command == "dlq":
        return dlq.run(args, profile)
    if args.command == "resources":
        print(_resources_json(profile))
        return 0
    if args.command == "status":
        for spec in launcher.specs(profile).values():
            state = "ready" if mesh.is_ready(spec) else "down"
            print(f"{spec.name:14} {state}")
        return 0
    if args.command == "metrics":
        from devmesh.metrics import summary

        print(summary())
        return 0
    if args.command == "rotate-ca":
        gone = trust.rotate(tokens=args.tokens)
        print("forgot " + (", ".join(str(p) for p in gone) or "nothing"))
        print("restart every mesh (its Sentry makes the new CA at start)")
        return 0
    if args.command == "down":
        killed = launcher.kill_leftovers()
        print(f"stopped {len(killed)} leftover process(es)")
        return 0
    # up
    the_mesh = mesh.Mesh(profile)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    marker = launcher.mark_mesh(profile)
    try:
        the_mesh.start()
        print("mesh is up; Ctrl-C stops it", flush=True)
        return _watch(the_mesh)
    except (KeyboardInterrupt, SystemExit):
        pass
    except mesh.MeshError as err:
        print(f"mesh failed to start: {err}", file=sys.stderr)
        return 1
    finally:
        the_mesh.stop()
        marker.unlink(missing_ok=True)
    return 0


def _watch(the_mesh: mesh.Mesh) -> int:
    """Until every resource has ended (a stop from outside, `make down`: 0).

    A crashed process is restarted inside its resource (`devmesh run`); a
    resource that ends on its own gave up on a process that kept crashing: it
    is named, loudly, and the rest of the mesh keeps serving.
    """
    reported: set[str] = set()
    while len(gone := the_mesh.exited()) < len(the_mesh.procs):
        for name in sorted(set(gone) - reported):
            if the_mesh.procs[name].returncode == 0:
                continue  # stopped from outside (`make down`), not given up
            reported.add(name)
            print(
                f"mesh: {name.upper()} IS DOWN: it gave up restarting a process"
                f" that kept crashing (log: {the_mesh.log_path(name)}); the rest"
                " keeps serving, Ctrl-C stops all",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(1)
    print("mesh: every resource stopped", file=sys.stderr, flush=True)
    return 0 if not reported else 1


if __name__ == "__main__":
    sys.exit(main())
