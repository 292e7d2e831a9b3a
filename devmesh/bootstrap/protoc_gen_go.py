"""protoc-gen-go and protoc-gen-go-grpc: the Go stubs of `make protos`.

Go clients (tests/polyglot) use them; protos/generate.py runs them through the
protoc of grpcio-tools, like the Python generators.
"""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN

GRPC_MODULE = "google.golang.org/grpc/cmd/protoc-gen-go-grpc"


def messages_binary() -> Path:
    return BIN / f"protoc-gen-go-{pins.PROTOC_GEN_GO}"


def grpc_binary() -> Path:
    return BIN / f"protoc-gen-go-grpc-{pins.PROTOC_GEN_GO_GRPC}"


def install() -> None:
    src = go_module_dir(
        "protoc-gen-go", "google.golang.org/protobuf", pins.PROTOC_GEN_GO
    )
    go_build("protoc-gen-go", src, messages_binary(), "./cmd/protoc-gen-go")
    src = go_module_dir("protoc-gen-go", GRPC_MODULE, pins.PROTOC_GEN_GO_GRPC)
    go_build("protoc-gen-go", src, grpc_binary(), ".")


PART = Part(
    "protoc-gen-go",
    f"protoc-gen-go {pins.PROTOC_GEN_GO} and protoc-gen-go-grpc"
    f" {pins.PROTOC_GEN_GO_GRPC}, Go stubs (Go modules)",
    lambda: messages_binary().exists() and grpc_binary().exists(),
    install,
    "~1 min",
)
