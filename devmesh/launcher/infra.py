"""The infrastructure resources: Redis, MariaDB, FerretDB, Mailpit, the OIDC
provider, Zipkin (traces), Prometheus (metrics), and Kafka (one node or three)
on the full profile."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from devmesh import bootstrap
from devmesh.launcher import prodlocal
from devmesh.launcher.kafka import java_cp, kafka_specs, uses_kafka
from devmesh.launcher.prometheus import prometheus_spec
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.launcher.zipkin import zipkin_spec
from devmesh.paths import REPO, run_dir
from devmesh.ports import load


def _prepare_mariadb(data: Path) -> Callable[[], None]:
    def prepare() -> None:
        if (data / "mysql").exists():
            return
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--user=root",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return prepare


def infra_specs(prof: str) -> dict[str, Proc]:
    p = load()
    run = run_dir(prof)
    oidc_discovery = f"http://{LOOPBACK}:{p.oidc}/shop/.well-known/openid-configuration"
    specs = [
        Proc(
            "redis",
            ready_port=p.redis,
            labels=("infra",),
            argv=[
                "redis-server",
                "--port",
                str(p.redis),
                "--bind",
                LOOPBACK,
                "--dir",
                str(run),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning",
            ],
        ),
        Proc(
            "mariadb",
            ready_port=p.mariadb,
            labels=("infra",),
            argv=[
                "mariadbd",
                "--no-defaults",
                f"--datadir={run / 'mariadb'}",
                f"--port={p.mariadb}",
                f"--bind-address={LOOPBACK}",
                f"--socket={run / 'mariadb.sock'}",
                "--user=root",
                "--skip-name-resolve",
                # 1: no "aborted connection" line for every readiness probe
                "--log-warnings=1",
                "--innodb-buffer-pool-size=64M",
                "--performance-schema=OFF",
                "--max-connections=300",
                f"--pid-file={run / 'mariadb.pid'}",
            ],
            prepare=_prepare_mariadb(run / "mariadb"),
        ),
        Proc(
            "ferretdb",
            ready_port=p.ferretdb,
            labels=("infra",),
            argv=[
                str(bootstrap.ferretdb_bin()),
                "--handler=sqlite",
                f"--sqlite-url=file:{run / 'ferretdb'}/",
                f"--state-dir={run / 'ferretdb'}",
                f"--listen-addr={LOOPBACK}:{p.ferretdb}",
                f"--debug-addr={LOOPBACK}:{p.ferretdb_debug}",
                "--telemetry=disable",
                "--log-level=ERROR",
            ],
            prepare=lambda: (run / "ferretdb").mkdir(exist_ok=True),
        ),
        Proc(
            "mailpit",
            ready_url=f"http://{LOOPBACK}:{p.mailpit_http}/livez",
            labels=("infra",),
            links=((f"http://{LOOPBACK}:{p.mailpit_http}/", "Mail"),),
            argv=[
                str(bootstrap.mailpit_bin()),
                "--smtp",
                f"{LOOPBACK}:{p.mailpit_smtp}",
                "--listen",
                f"{LOOPBACK}:{p.mailpit_http}",
                "--database",
                str(run / "mailpit.db"),
                "--smtp-auth-accept-any",
                "--smtp-auth-allow-insecure",
                "--disable-version-check",
                "--quiet",
            ],
        ),
        Proc(
            "oidc",
            ready_url=oidc_discovery,
            labels=("infra",),
            links=((oidc_discovery, "OIDC discovery"),),
            argv=[
                "java",
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                java_cp(bootstrap.oidc_libs()),
                # The mock's own main, except that an ID token's audience is the
                # client alone (so it never passes as an API bearer): see the file.
                str(REPO / "devmesh" / "oidc" / "LocalProvider.java"),
            ],
            env={
                "SERVER_HOSTNAME": LOOPBACK,
                "SERVER_PORT": str(p.oidc),
                "JSON_CONFIG_PATH": str(REPO / "devmesh" / "oidc" / "config.json"),
            },
        ),
        zipkin_spec(),
        prometheus_spec(run),
    ]
    if uses_kafka(prof):
        specs.extend(kafka_specs(run))
    table = {s.name: s for s in specs}
    if prof == prodlocal.PROFILE:
        return prodlocal.harden(table, run)
    return table
