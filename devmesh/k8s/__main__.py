"""`python -m devmesh.k8s render [--check] | secrets [--namespace N] |
schemas OUT`: see devmesh/k8s/__init__.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devmesh.k8s import NAMESPACE, render, schemas, secrets
from devmesh.paths import REPO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devmesh.k8s")
    sub = parser.add_subparsers(dest="command", required=True)
    rend = sub.add_parser("render", help="write deploy/'s generated files")
    rend.add_argument("--check", action="store_true", help="only report stale files")
    sec = sub.add_parser("secrets", help="print the API-token Secrets (random)")
    sec.add_argument("--namespace", default=NAMESPACE)
    sch = sub.add_parser("schemas", help="write kubeconform's JSON schemas")
    sch.add_argument("out", type=Path)
    sch.add_argument("--swagger", type=Path, required=True, help="swagger.json")
    args = parser.parse_args(argv)
    if args.command == "render":
        changed = render.stale() if args.check else render.write()
        for path in changed:
            verb = "stale" if args.check else "wrote"
            print(f"{verb}: {path.relative_to(REPO)}")
        if args.check and changed:
            print("run `python -m devmesh.k8s render`", file=sys.stderr)
            return 1
        return 0
    if args.command == "secrets":
        print(secrets.manifest(args.namespace), end="")
        return 0
    count = schemas.write(args.out, args.swagger)
    print(f"{count} schemas in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
