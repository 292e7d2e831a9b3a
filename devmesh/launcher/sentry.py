"""Sentry, the mesh's certificate authority: its resource and its files.

Sentry listens on loopback only: gRPC by `--listen-address`, healthz by our
build (see devmesh/bootstrap/sentry.py); its metrics server, which would bind
every interface, is off. It signs a workload certificate only for a request
carrying a JWT the launcher minted for that app id (the `jwks` validator).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from devmesh import bootstrap, trust
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.paths import REPO, run_dir, write_whole
from devmesh.ports import load

CA_FILES = ("ca.crt", "issuer.crt", "issuer.key")


def render_config(prof: str) -> Path:
    text = (REPO / "dapr" / "sentry-config.yaml").read_text()
    out = run_dir(prof) / "sentry-config.yaml"
    address = f"{LOOPBACK}:{load().sentry}"
    text = text.replace("${SENTRY_ADDRESS}", address)
    return write_whole(out, text.replace("${JWKS}", str(trust.jwks_path())))


def argv(config: Path, port: int, healthz: int) -> list[str]:
    return [
        str(bootstrap.sentry_bin()),
        "--config",
        str(config),
        "--issuer-credentials",
        str(trust.CA_DIR),
        "--listen-address",
        LOOPBACK,
        "--port",
        str(port),
        "--healthz-port",
        str(healthz),
        "--enable-metrics=false",
        "--log-level",
        os.environ.get("DAPR_LOG_LEVEL", "warn"),
    ]


def env() -> dict[str, str]:
    # Sentry refuses to run as root outside a container unless told this.
    return {"DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK": "true"}


def _ca_complete() -> bool:
    return all((trust.CA_DIR / name).exists() for name in CA_FILES)


def ensure_ca(config: Path) -> None:
    """Make the per-machine CA once: Sentry writes it into an empty folder.

    Under a file lock, so two meshes starting at once on a new machine do not
    both write it. Sentry runs briefly on ports the kernel picks.
    """
    trust.TRUST.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (trust.TRUST / ".ca.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ca_complete():
            return
        trust.CA_DIR.mkdir(exist_ok=True, mode=0o700)
        maker = subprocess.Popen(
            argv(config, 0, 0),
            env={**os.environ, **env()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while not _ca_complete():
                if maker.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"sentry could not create its CA in {trust.CA_DIR}"
                    )
                time.sleep(0.1)
            time.sleep(0.5)  # let it finish writing the last file
        finally:
            maker.terminate()
            maker.wait(timeout=10)


def _prepare(prof: str) -> Callable[[], None]:
    def prepare() -> None:
        ensure_ca(render_config(prof))

    return prepare


def sentry_spec(prof: str) -> Proc:
    p = load()
    return Proc(
        "sentry",
        ready_url=f"http://{LOOPBACK}:{p.sentry_healthz}/healthz",
        labels=("infra",),
        argv=argv(run_dir(prof) / "sentry-config.yaml", p.sentry, p.sentry_healthz),
        env=env(),
        prepare=_prepare(prof),
    )
