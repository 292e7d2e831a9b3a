"""Generate Python stubs (messages, typed .pyi, gRPC) beside every .proto.

python -m protos.generate           # write the stubs
python -m protos.generate --check   # exit 1 if the committed stubs are stale
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

REPO = Path(__file__).resolve().parent.parent
PROTOS = REPO / "protos"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files() -> list[Path]:
    return sorted(PROTOS.rglob("*.proto"))


def generate(out_dir: Path) -> None:
    include = Path(grpc_tools.__file__).parent / "_proto"
    files = [str(p.relative_to(REPO)) for p in proto_files()]
    args = [
        "protoc",
        f"-I{REPO}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Messages-only protos get an empty *_pb2_grpc.py: drop those.
    for stub in out_dir.rglob("*_pb2_grpc.py"):
        if "class " not in stub.read_text():
            stub.unlink()


def generated_files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.name.endswith(GENERATED_SUFFIXES)
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        fresh = generated_files(out)
        current = generated_files(REPO) & {
            p for p in generated_files(REPO) if str(p).startswith("protos/")
        }
        if args.check:
            stale = sorted(
                str(p)
                for p in fresh | current
                if p not in fresh
                or p not in current
                or not filecmp.cmp(out / p, REPO / p, shallow=False)
            )
            if stale:
                print("stale generated stubs (run `make protos`):", *stale, sep="\n  ")
                return 1
            return 0
        for rel in current - fresh:
            (REPO / rel).unlink()
        for rel in fresh:
            shutil.copyfile(out / rel, REPO / rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
