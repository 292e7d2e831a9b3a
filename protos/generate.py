"""Generate the stubs of every .proto: Python beside it, Go under protos/gen/go.

Python: messages (*_pb2.py), gRPC (*_pb2_grpc.py) and their typed stubs
(*_pb2.pyi, *_pb2_grpc.pyi) from mypy-protobuf, so `mypy --strict` checks code
using them. Go: messages and gRPC (*.pb.go) for clients in other languages,
made by protoc-gen-go and protoc-gen-go-grpc, which the bootstrap builds.

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

from devmesh.bootstrap import protoc_gen_go_bin, protoc_gen_go_grpc_bin

REPO = Path(__file__).resolve().parent.parent
PROTOS = REPO / "protos"
GO_OUT = Path("protos/gen/go")
# The Go module of the generated code (protos/gen/go/go.mod); go_package
# options in the .proto files start with it.
GO_MODULE = "daprshop/protos/gen/go"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi", ".pb.go")


def proto_files() -> list[Path]:
    return sorted(p for p in PROTOS.rglob("*.proto") if GO_OUT not in p.parents)


def _plugin(name: str, path: Path, hint: str) -> str:
    if not path.exists():
        raise SystemExit(f"{path} is missing: {hint}")
    return f"--plugin=protoc-gen-{name}={path}"


def plugins() -> list[str]:
    venv_bin = Path(sys.prefix) / "bin"
    go_hint = "run `python3 -m devmesh.bootstrap` (protoc-gen-go, protoc-gen-go-grpc)"
    return [
        _plugin("mypy", venv_bin / "protoc-gen-mypy", "mypy-protobuf, see uv.lock"),
        _plugin("mypy_grpc", venv_bin / "protoc-gen-mypy_grpc", "see uv.lock"),
        _plugin("go", protoc_gen_go_bin(), go_hint),
        _plugin("go-grpc", protoc_gen_go_grpc_bin(), go_hint),
    ]


def generate(out_dir: Path) -> None:
    """Write every stub under out_dir, laid out as in the repository."""
    include = Path(grpc_tools.__file__).parent / "_proto"
    go_out = out_dir / GO_OUT
    go_out.mkdir(parents=True)
    args = [
        "protoc",
        f"-I{REPO}",
        f"-I{include}",
        *plugins(),
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"--mypy_out=quiet:{out_dir}",
        f"--mypy_grpc_out=quiet:{out_dir}",
        f"--go_out=module={GO_MODULE}:{go_out}",
        f"--go-grpc_out=module={GO_MODULE}:{go_out}",
        *(str(p.relative_to(REPO)) for p in proto_files()),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Messages-only protos get gRPC stubs without a service in them: drop those.
    for stub in out_dir.rglob("*_pb2_grpc.py"):
        if "class " not in stub.read_text():
            stub.unlink()
            stub.with_suffix(".pyi").unlink(missing_ok=True)


def generated_files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in (root / "protos").rglob("*")
        if p.name.endswith(GENERATED_SUFFIXES)
    }


def stale(fresh_root: Path, repo: Path = REPO) -> list[str]:
    """Generated files missing from, extra in or different in the repository."""
    fresh, current = generated_files(fresh_root), generated_files(repo)
    return sorted(
        str(p)
        for p in fresh | current
        if p not in fresh
        or p not in current
        or not filecmp.cmp(fresh_root / p, repo / p, shallow=False)
    )


def write(fresh_root: Path) -> None:
    """Copy what changed (unchanged files keep their mtime: no watcher loops)."""
    fresh = generated_files(fresh_root)
    for rel in generated_files(REPO) - fresh:
        (REPO / rel).unlink()
    for rel in fresh:
        target = REPO / rel
        if target.exists() and filecmp.cmp(fresh_root / rel, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fresh_root / rel, target)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        if not args.check:
            write(out)
            return 0
        if differing := stale(out):
            print("stale generated stubs (run `make protos`):", *differing, sep="\n  ")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
