"""Install every part the mesh needs, reusing what is already cached.

Runs on the machine's own python3 before any virtualenv exists, so it uses the
standard library only. Each part checks its cached artifact first; a warm run
takes seconds. Long steps print a heartbeat and their timing.

    python3 -m devmesh.bootstrap            # everything
    python3 -m devmesh.bootstrap --only daprd,kafka
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devmesh import daprd_components, pins
from devmesh.paths import BIN, CACHE, LOGS, REPO, SRC, VENV


class StepFailed(RuntimeError):
    pass


def _log_path(name: str) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"bootstrap-{name}.log"


def sh(part: str, argv: list[str], cwd: Path | None = None, **env: str) -> None:
    """Run one command, appending its output to the part's log."""
    full_env = {**os.environ, **env}
    with _log_path(part).open("a") as log:
        log.write(f"\n$ {' '.join(argv)}  (cwd={cwd or os.getcwd()})\n")
        log.flush()
        result = subprocess.run(
            argv, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        tail = _log_path(part).read_text().splitlines()[-25:]
        raise StepFailed(
            f"{part}: `{' '.join(argv)}` exited {result.returncode}\n"
            + "\n".join("    " + line for line in tail)
        )


def go_env() -> dict[str, str]:
    return {"CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}


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
    import json

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


# --- the parts -----------------------------------------------------------------


def apt_ready() -> bool:
    return all(shutil.which(b) for b in ("redis-server", "mariadbd", "mariadb"))


def apt_install() -> None:
    # Keep the distribution's own services from starting: we run our own.
    policy = Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        sh("apt", ["apt-get", "update", "-qq"])
        sh(
            "apt",
            [
                "apt-get",
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                *pins.APT_PACKAGES,
            ],
            DEBIAN_FRONTEND="noninteractive",
        )
    finally:
        if not had_policy:
            policy.unlink(missing_ok=True)


def _lock_digest() -> str:
    data = (REPO / "uv.lock").read_bytes() + (REPO / "pyproject.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def _uv() -> Path:
    return CACHE / "tools" / f"uv-{pins.UV}" / "bin" / "uv"


def python_target() -> Path:
    return CACHE / "venvs" / _lock_digest()


def python_ready() -> bool:
    return (
        python_target() / ".complete"
    ).exists() and VENV.resolve() == python_target()


def python_install() -> None:
    uv = _uv()
    if not uv.exists():
        tool_venv = uv.parent.parent
        sh("python", [sys.executable, "-m", "venv", str(tool_venv)])
        sh(
            "python",
            [str(tool_venv / "bin" / "pip"), "install", "-q", f"uv=={pins.UV}"],
        )
    target = python_target()
    if not (target / ".complete").exists():
        sh(
            "python",
            [str(uv), "sync", "--frozen", "--all-groups", "--python", sys.executable],
            cwd=REPO,
            UV_PROJECT_ENVIRONMENT=str(target),
            UV_PYTHON_DOWNLOADS="never",
        )
        (target / ".complete").touch()
    if VENV.is_symlink() or VENV.exists():
        if VENV.is_symlink() or VENV.is_file():
            VENV.unlink()
        else:
            shutil.rmtree(VENV)
    VENV.symlink_to(target)


def daprd_bin() -> Path:
    """The trimmed daprd; its name changes with the kept component set."""
    return BIN / f"daprd-{pins.DAPR}-{daprd_components.digest()}"


def _keep_only_kept_registrations(src: Path) -> None:
    """Leave in cmd/daprd/components/ only the files of daprd_components.KEPT.

    The folder is first restored from the pristine module, so a set that grows
    later finds its files again.
    """
    folder = src / "cmd/daprd/components"
    pristine = (
        go_module_download("daprd", "github.com/dapr/dapr", pins.DAPR)
        / "cmd/daprd/components"
    )
    wanted = daprd_components.kept_files()
    missing = [name for name in wanted if not (pristine / name).exists()]
    if missing:
        raise StepFailed(
            f"daprd: no registration file {', '.join(missing)} in dapr {pins.DAPR}"
            " (devmesh/daprd_components.py: is the component type spelled right?)"
        )
    for path in folder.glob("*.go"):
        if path.name not in wanted:
            path.unlink()
    for name in wanted:
        shutil.copyfile(pristine / name, folder / name)
        (folder / name).chmod(0o644)


def daprd_install() -> None:
    src = go_module_dir("daprd", "github.com/dapr/dapr", pins.DAPR)
    sh(
        "daprd",
        [
            "go",
            "mod",
            "edit",
            "-replace",
            f"github.com/dapr/durabletask-go=github.com/dapr/durabletask-go@{pins.DAPR_DURABLETASK}",
        ],
        cwd=src,
    )
    # Only the component types we use are compiled in (their files carry the
    # `allcomponents` tag; the tag no longer pulls in the others).
    _keep_only_kept_registrations(src)
    sh(
        "daprd",
        [
            "go",
            "build",
            "-mod=mod",
            "-tags",
            "allcomponents",
            "-trimpath",
            "-ldflags",
            f"-s -w -X github.com/dapr/dapr/pkg/buildinfo.version={pins.DAPR}",
            "-o",
            str(daprd_bin()),
            "./cmd/daprd",
        ],
        cwd=src,
        **go_env(),
    )


def ferretdb_bin() -> Path:
    return BIN / f"ferretdb-{pins.FERRETDB}"


def ferretdb_install() -> None:
    # `go install module@version` asks the proxy for the version list, which the
    # proxy here refuses; building from the downloaded module avoids that call.
    src = go_module_dir("ferretdb", "github.com/FerretDB/FerretDB", pins.FERRETDB)
    # FerretDB embeds its version from this file (normally written by its task).
    (src / "build/version/version.txt").write_text(f"v{pins.FERRETDB}\n")
    sh(
        "ferretdb",
        [
            "go",
            "build",
            "-mod=mod",
            "-trimpath",
            "-ldflags",
            "-s -w",
            "-o",
            str(ferretdb_bin()),
            "./cmd/ferretdb",
        ],
        cwd=src,
        **go_env(),
    )


def mailpit_bin() -> Path:
    return BIN / f"mailpit-{pins.MAILPIT}"


def mailpit_install() -> None:
    src = go_module_dir("mailpit", "github.com/axllent/mailpit", pins.MAILPIT)
    if not (src / "server/ui/dist").exists():
        sh(
            "mailpit",
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=src,
        )
        sh("mailpit", ["npm", "run", "package"], cwd=src)
    sh(
        "mailpit",
        [
            "go",
            "build",
            "-mod=mod",
            "-trimpath",
            "-ldflags",
            f"-s -w -X github.com/axllent/mailpit/config.Version=v{pins.MAILPIT}",
            "-o",
            str(mailpit_bin()),
            ".",
        ],
        cwd=src,
        **go_env(),
    )


TILT_UNVERIFIED = "github.com/docker/buildx"


def tilt_bin() -> Path:
    return BIN / f"tilt-{pins.TILT}"


def tilt_install() -> None:
    src = go_module_dir("tilt", "github.com/tilt-dev/tilt", pins.TILT)
    build = src / "pkg/assets/build"
    if not (build / "index.html").exists():
        web = src / "web"
        yarn = next((web / ".yarn" / "releases").glob("yarn-*.cjs"), None)
        yarn_cmd = ["node", str(yarn)] if yarn else ["npx", "--yes", "yarn@1"]
        sh("tilt", [*yarn_cmd, "install"], cwd=web, YARN_ENABLE_TELEMETRY="0")
        sh("tilt", [*yarn_cmd, "run", "build"], cwd=web, CI="true")
        shutil.rmtree(build, ignore_errors=True)
        shutil.copytree(web / "build", build)
    # The module proxy here serves github.com/docker/buildx v0.32.1 with other
    # bits than Tilt's go.sum records (a re-tagged release). Drop that one
    # entry and skip the checksum database for that module only.
    go_sum = src / "go.sum"
    go_sum.write_text(
        "".join(
            line
            for line in go_sum.read_text().splitlines(keepends=True)
            if not line.startswith(f"{TILT_UNVERIFIED} ")
        )
    )
    sh(
        "tilt",
        [
            "go",
            "build",
            "-mod=mod",
            "-trimpath",
            "-ldflags",
            f"-s -w -X main.version={pins.TILT}",
            "-o",
            str(tilt_bin()),
            "./cmd/tilt",
        ],
        cwd=src,
        GONOSUMDB=TILT_UNVERIFIED,
        GONOSUMCHECK="1",
        **{**go_env(), "CGO_ENABLED": "1"},
    )  # Tilt's Tiltfile parser uses tree-sitter (C)


def _maven_libs(part: str, name: str, version: str) -> Path:
    return CACHE / f"{name}-{version}" / "libs"


def _maven_install(part: str, name: str, version: str) -> None:
    libs = _maven_libs(part, name, version)
    tmp = libs.with_name("libs.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    sh(
        part,
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


def kafka_libs() -> Path:
    return _maven_libs("kafka", "kafka", pins.KAFKA)


def oidc_libs() -> Path:
    return _maven_libs("oidc", "oidc", pins.MOCK_OAUTH2)


GHZ = "0.121.0"
VEGETA = "12.12.0"


def ghz_bin() -> Path:
    return BIN / f"ghz-{GHZ}"


def ghz_install() -> None:
    """ghz, the gRPC load tool of `make bench` (constant-rate mode)."""
    src = go_module_dir("ghz", "github.com/bojand/ghz", GHZ)
    sh(
        "ghz",
        [
            "go",
            "build",
            "-mod=mod",
            "-trimpath",
            "-ldflags",
            f"-s -w -X main.version={GHZ}",
            "-o",
            str(ghz_bin()),
            "./cmd/ghz",
        ],
        cwd=src,
        **go_env(),
    )


def vegeta_bin() -> Path:
    return BIN / f"vegeta-{VEGETA}"


def vegeta_install() -> None:
    """vegeta, the open-loop HTTP load tool of `make bench`."""
    src = go_module_dir("vegeta", "github.com/tsenart/vegeta/v12", VEGETA)
    sh(
        "vegeta",
        [
            "go",
            "build",
            "-mod=mod",
            "-trimpath",
            "-ldflags",
            f"-s -w -X main.Version={VEGETA}",
            "-o",
            str(vegeta_bin()),
            ".",
        ],
        cwd=src,
        **go_env(),
    )


UNPKG_URL = re.compile(
    r"https://unpkg\.com/((?:@[^/\"]+/)?[^@/\"]+)@([^/\"]+)/([^\"]+)"
)


def graphiql_dir() -> Path:
    return CACHE / "graphiql" / "assets"


def _strawberry_graphiql_html() -> Path:
    found = sorted(
        VENV.resolve().glob("lib/python*/site-packages/strawberry/static/graphiql.html")
    )
    if not found:
        raise StepFailed(
            "graphiql: strawberry is not installed yet (run the python part)"
        )
    return found[0]


def graphiql_ready() -> bool:
    marker = graphiql_dir() / ".source"
    try:
        return marker.read_text() == _strawberry_graphiql_html().read_text()
    except (OSError, StepFailed):
        return False


def graphiql_install() -> None:
    """GraphiQL's browser files, from npm, for the gateway to serve itself.

    strawberry's GraphiQL page loads React and GraphiQL from unpkg, which a
    machine without internet cannot reach; the gateway serves these copies
    instead (same versions, same bytes, so the page's SRI hashes still hold).
    """
    html = _strawberry_graphiql_html().read_text()
    wanted = UNPKG_URL.findall(html)
    staging = CACHE / "graphiql" / "npm"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    specs = sorted({f"{pkg}@{version}" for pkg, version, _ in wanted})
    sh(
        "graphiql",
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--ignore-scripts",
            "--prefix",
            str(staging),
            *specs,
        ],
    )
    out = graphiql_dir()
    shutil.rmtree(out, ignore_errors=True)
    for pkg, _version, path in wanted:
        target = out / pkg / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staging / "node_modules" / pkg / path, target)
    (out / ".source").write_text(html)
    shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class Part:
    name: str
    what: str
    ready: Callable[[], bool]
    install: Callable[[], None]
    cold_hint: str = ""
    # Optional parts install only when named (`--with`/`--only`): the bench tools.
    optional: bool = False


PARTS: tuple[Part, ...] = (
    Part(
        "apt", "Redis and MariaDB (Debian packages)", apt_ready, apt_install, "~1 min"
    ),
    Part(
        "python",
        "Python virtualenv from uv.lock",
        python_ready,
        python_install,
        "~1 min",
    ),
    Part(
        "kafka",
        f"Apache Kafka {pins.KAFKA} (Maven Central)",
        lambda: kafka_libs().exists(),
        lambda: _maven_install("kafka", "kafka", pins.KAFKA),
        "~1 min",
    ),
    Part(
        "oidc",
        f"mock-oauth2-server {pins.MOCK_OAUTH2} (Maven Central)",
        lambda: oidc_libs().exists(),
        lambda: _maven_install("oidc", "oidc", pins.MOCK_OAUTH2),
        "~1 min",
    ),
    Part(
        "ferretdb",
        f"FerretDB {pins.FERRETDB} (Go module)",
        lambda: ferretdb_bin().exists(),
        ferretdb_install,
        "~4 min",
    ),
    Part(
        "mailpit",
        f"Mailpit {pins.MAILPIT} (Go module + npm UI)",
        lambda: mailpit_bin().exists(),
        mailpit_install,
        "~5 min",
    ),
    Part(
        "daprd",
        f"daprd {pins.DAPR} (Go module, {len(daprd_components.KEPT)} component"
        " types of devmesh/daprd_components.py)",
        lambda: daprd_bin().exists(),
        daprd_install,
        "~4 min on 2 cores",
    ),
    Part(
        "tilt",
        f"Tilt {pins.TILT} (Go module + web UI)",
        lambda: tilt_bin().exists(),
        tilt_install,
        "~10 min",
    ),
    Part(
        "graphiql",
        "GraphiQL browser files (npm), served by the gateway offline",
        graphiql_ready,
        graphiql_install,
        "~1 min",
    ),
    Part(
        "ghz",
        f"ghz {GHZ}, gRPC load tool for `make bench` (Go module)",
        lambda: ghz_bin().exists(),
        ghz_install,
        "~2 min",
        optional=True,
    ),
    Part(
        "vegeta",
        f"vegeta {VEGETA}, HTTP load tool for `make bench` (Go module)",
        lambda: vegeta_bin().exists(),
        vegeta_install,
        "~1 min",
        optional=True,
    ),
)


def _heartbeat(name: str, started: float, stop: threading.Event) -> None:
    while not stop.wait(30):
        print(
            f"      … {name} still running ({_fmt(time.monotonic() - started)}),"
            f" log: {_log_path(name)}",
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
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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


if __name__ == "__main__":
    sys.exit(main())
