"""What every install step shares: the Part record, logged commands, Go modules.

Standard library only, like the whole bootstrap.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devmesh.paths import CACHE, LOGS, REPO, SRC


class StepFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Part:
    name: str
    what: str
    ready: Callable[[], bool]
    install: Callable[[], None]
    cold_hint: str = ""
    # Optional parts install only when named (`--with`/`--only`): the bench tools.
    optional: bool = False


def log_path(name: str) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"bootstrap-{name}.log"


def sh(part: str, argv: list[str], cwd: Path | None = None, **env: str) -> None:
    """Run one command, appending its output to the part's log."""
    full_env = {**os.environ, **env}
    with log_path(part).open("a") as log:
        log.write(f"\n$ {' '.join(argv)}  (cwd={cwd or os.getcwd()})\n")
        log.flush()
        result = subprocess.run(
            argv, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        tail = log_path(part).read_text().splitlines()[-25:]
        raise StepFailed(
            f"{part}: `{' '.join(argv)}` exited {result.returncode}\n"
            + "\n".join("    " + line for line in tail)
        )


def go_env() -> dict[str, str]:
    return {"CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}


def go_build(
    part: str,
    src: Path,
    out: Path,
    package: str,
    ldflags: str = "",
    tags: str = "",
    overlay: Path | None = None,
    **env: str,
) -> None:
    """`go build` one command of a downloaded module, stripped and trimmed.

    `overlay` is a `go build -overlay` file: source files replaced for this
    build only, the module's own files left as they are.
    """
    argv = ["go", "build", "-mod=mod", *(["-tags", tags] if tags else [])]
    argv += [f"-overlay={overlay}"] if overlay else []
    argv += ["-trimpath", "-ldflags", f"-s -w {ldflags}".strip()]
    sh(part, [*argv, "-o", str(out), package], cwd=src, **{**go_env(), **env})


def go_module_download(part: str, module: str, version: str) -> Path:
    """Download a Go module; return its pristine (read-only) source folder."""
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@v{version}"],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    if out.returncode != 0:
        raise StepFailed(f"{part}: go mod download {module}: {out.stdout}{out.stderr}")
    return Path(json.loads(out.stdout)["Dir"])


def go_module_dir(part: str, module: str, version: str) -> Path:
    """Download a Go module and return a writable copy of its source."""
    dest = SRC / f"{module.rsplit('/', 1)[-1].lower()}-{version}"
    if dest.exists():
        return dest
    src = go_module_download(part, module, version)
    tmp = dest.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    for path in [tmp, *tmp.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    tmp.rename(dest)
    return dest


def maven_libs(name: str, version: str) -> Path:
    """Where a Java program's jars are: the launcher runs `java -cp <libs>/*`."""
    return CACHE / f"{name}-{version}" / "libs"


def maven_install(name: str, version: str) -> None:
    """Copy the runtime dependencies of devmesh/maven/<name>/pom.xml."""
    libs = maven_libs(name, version)
    tmp = libs.with_name("libs.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    sh(
        name,
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(REPO / "devmesh/maven" / name / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        ],
    )
    shutil.rmtree(libs, ignore_errors=True)
    tmp.rename(libs)
