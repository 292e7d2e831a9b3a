"""`python -m devmesh.images [NAME ...]` (`make images`): build the images
(default: every app and daprd), then list them with their sizes."""

from __future__ import annotations

import argparse
import sys
import time

from devmesh.images.build import build
from devmesh.images.layers import size_mb
from devmesh.images.names import DAPRD
from devmesh.images.steps import BuildFailed, say
from devmesh.ports import APP_NAMES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devmesh.images")
    names = (*APP_NAMES, DAPRD)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(names))
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(names)
    if unknown:
        parser.error(f"no image named {', '.join(sorted(unknown))}")
    started = time.monotonic()
    try:
        built = build(args.names or names)
    except BuildFailed as err:
        print(f"images: FAILED {err}", file=sys.stderr, flush=True)
        return 1
    for b in built:
        state = "built" if b.fresh else "cached"
        say(f"{b.ref:<30} sha-{b.digest[:16]}  {size_mb(b.ref):6.0f} MB  {state}")
    say(f"{len(built)} images in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
