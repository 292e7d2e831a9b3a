"""etcd, the API-server tier's store, built from go.etcd.io/etcd/server/v3
through a one-file wrapper module (etcd's own main package lives in a module
the proxy serves only with its whole repository's replacements)."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, sh
from devmesh.paths import BIN, SRC

MODULE = "go.etcd.io/etcd/server/v3"
MAIN = """package main

import (
\t"os"

\t"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
"""


def binary() -> Path:
    return BIN / f"etcd-{pins.ETCD}"


def install() -> None:
    folder = SRC / f"etcdwrapper-{pins.ETCD}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "go.mod").write_text(
        "module daprshop.local/etcdwrapper\n\ngo 1.26.0\n\n"
        f"require {MODULE} v{pins.ETCD}\n"
    )
    (folder / "main.go").write_text(MAIN)
    sh("etcd", ["go", "get", f"{MODULE}@v{pins.ETCD}"], cwd=folder)
    go_build("etcd", folder, binary(), ".")


PART = Part(
    "etcd",
    f"etcd {pins.ETCD} (Go module, `make test-k8s`)",
    lambda: binary().exists(),
    install,
    "~2 min on 2 cores",
    optional=True,
)
