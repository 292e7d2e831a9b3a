"""kube-apiserver and kube-controller-manager for the API-server tier
(`make test-k8s`), built from the k8s.io/kubernetes module.

k8s.io/kubernetes cannot be built as a dependency directly: its go.mod
replaces its 30-odd staging modules (k8s.io/api, k8s.io/client-go, ...) with
folders of its own repository, which a module download does not contain. A
small wrapper module requires it and replaces each staging module with its
published release instead (v0.X.Y for Kubernetes v1.X.Y). The version is set
by ldflags, or clients cannot parse the server's version.
"""

from __future__ import annotations

import re
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_download, sh
from devmesh.paths import BIN, SRC

MODULE = "k8s.io/kubernetes"
COMMANDS = ("kube-apiserver", "kube-controller-manager")


def binary(command: str) -> Path:
    return BIN / f"{command}-{pins.KUBERNETES}"


def staging_modules(go_mod: str) -> list[str]:
    """The modules k8s.io/kubernetes replaces with its ./staging folders."""
    return re.findall(r"^\s*(k8s\.io/[\w.-]+) => \./staging/", go_mod, re.MULTILINE)


def wrapper_go_mod(go_mod: str, go_version: str) -> str:
    release = "v0." + pins.KUBERNETES.split(".", 1)[1]
    replaces = "".join(
        f"\t{module} => {module} {release}\n" for module in staging_modules(go_mod)
    )
    return (
        "module daprshop.local/kubewrapper\n\n"
        f"go {go_version}\n\n"
        f"require {MODULE} v{pins.KUBERNETES}\n\n"
        f"replace (\n{replaces})\n"
    )


def _wrapper() -> Path:
    src = go_module_download("kube-apiserver", MODULE, pins.KUBERNETES)
    go_mod = (src / "go.mod").read_text()
    go_version = re.search(r"^go (\S+)", go_mod, re.MULTILINE)
    folder = SRC / f"kubewrapper-{pins.KUBERNETES}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "go.mod").write_text(
        wrapper_go_mod(go_mod, go_version.group(1) if go_version else "1.26.0")
    )
    return folder


def ldflags() -> str:
    major, minor, _ = pins.KUBERNETES.split(".")
    pkg = "k8s.io/component-base/version"
    return (
        f"-X {pkg}.gitVersion=v{pins.KUBERNETES} -X {pkg}.gitMajor={major}"
        f" -X {pkg}.gitMinor={minor} -X {pkg}.gitTreeState=clean"
    )


def install() -> None:
    folder = _wrapper()
    for command in COMMANDS:
        package = f"{MODULE}/cmd/{command}"
        sh("kube-apiserver", ["go", "get", f"{package}@v{pins.KUBERNETES}"], cwd=folder)
        go_build("kube-apiserver", folder, binary(command), package, ldflags=ldflags())


PART = Part(
    "kube-apiserver",
    f"kube-apiserver and kube-controller-manager {pins.KUBERNETES}"
    " (Go module, `make test-k8s`)",
    lambda: all(binary(c).exists() for c in COMMANDS),
    install,
    "~6 min on 2 cores",
    optional=True,
)
