"""How each process of the mesh is started: one table used by Tilt and tests.

`specs(profile)` returns a `Proc` per resource. A domain service and its daprd
form one resource (`user`, `order`, ...), started together by `run_pair`.
Tilt runs `python -m devmesh run NAME` as each resource's serve command; the
test fixture (`devmesh.mesh.Mesh`) runs exactly the same command.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devmesh import bootstrap, pins
from devmesh.paths import REPO, run_dir
from devmesh.ports import APP_NAMES, load

PROFILES = ("full", "lite")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Proc:
    name: str
    # TCP port, or an HTTP URL, that answers once the resource is ready.
    ready_port: int | None = None
    ready_url: str | None = None
    deps: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[], None] | None = None


def profile() -> str:
    chosen = os.environ.get("PROFILE", "full")
    if chosen not in PROFILES:
        raise SystemExit(f"PROFILE must be one of {PROFILES}, not {chosen!r}")
    return chosen


def _tokens(run: Path) -> tuple[str, str]:
    """Per-run API tokens: app->sidecar (DAPR_API_TOKEN), sidecar->app."""
    path = run / "tokens"
    if not path.exists():
        path.write_text(f"{secrets.token_urlsafe(24)}\n{secrets.token_urlsafe(24)}\n")
        path.chmod(0o600)
    dapr_token, app_token = path.read_text().split()
    return dapr_token, app_token


def shared_env(prof: str) -> dict[str, str]:
    """Environment every app and sidecar gets: where the infrastructure is."""
    p = load()
    run = run_dir(prof)
    dapr_token, app_token = _tokens(run)
    return {
        "PROFILE": prof,
        "ENVIRONMENT": os.environ.get("ENVIRONMENT", "dev"),
        "DAPR_API_TOKEN": dapr_token,
        "APP_API_TOKEN": app_token,
        "KAFKA_BROKERS": f"{LOOPBACK}:{p.kafka}",
        "REDIS_HOST": f"{LOOPBACK}:{p.redis}",
        "REDIS_URL": f"redis://{LOOPBACK}:{p.redis}/0",
        "MYSQL_URL": f"mysql://root@{LOOPBACK}:{p.mariadb}/?ssl=disabled",
        "MONGODB_URL": f"mongodb://{LOOPBACK}:{p.ferretdb}/",
        "SMTP_HOST": LOOPBACK,
        "SMTP_PORT": str(p.mailpit_smtp),
        "SMS_OUTBOX_DIR": str(run / "sms"),
        "OIDC_ISSUER": f"http://{LOOPBACK}:{p.oidc}/shop",
        "OIDC_AUDIENCE": "daprshop-api",
        "OIDC_CLIENT_ID": "daprshop-web",
        "OIDC_CLIENT_SECRET": "local-dev-only",
        "PUBLIC_URL": f"http://{LOOPBACK}:{p.apps['gateway'].app}",
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "PYTHONUNBUFFERED": "1",
        "DAPR_API_TIMEOUT_SECONDS": "5",
    }


def app_addresses_template() -> str:
    """Name resolution as a Go template: each app id -> its sidecar's internal
    gRPC address (an unknown id resolves to nothing, so the call fails)."""
    branches = [
        f'if eq .ID "{app}"}}}}{LOOPBACK}:{ports.internal}'
        for app, ports in load().apps.items()
    ]
    return "{{" + "{{else ".join(branches) + "{{end}}"


def metrics_enabled() -> str:
    """Sidecar metrics (Prometheus, on each daprd's metrics port): on unless
    DAPR_METRICS says false/0/no/off."""
    value = os.environ.get("DAPR_METRICS", "true").strip().lower()
    return "false" if value in ("false", "0", "no", "off") else "true"


def render_dapr_config(prof: str, name: str) -> Path:
    run = run_dir(prof)
    text = (REPO / "dapr" / name).read_text()
    text = (
        text.replace("${RUN_DIR}", str(run))
        .replace("${TRACE_SAMPLING}", os.environ.get("DAPR_TRACE_SAMPLING", "0"))
        .replace("${METRICS_ENABLED}", metrics_enabled())
        .replace("${APP_ADDRESSES}", app_addresses_template())
    )
    out = run / name
    out.write_text(text)
    return out


def _daprd_argv(prof: str, app: str) -> list[str]:
    ports = load().apps[app]
    config = "gateway-config.yaml" if app == "gateway" else "config.yaml"
    return [
        str(bootstrap.daprd_bin()),
        "--app-id",
        app,
        "--app-port",
        str(ports.app),
        "--app-protocol",
        "http" if app == "gateway" else "grpc",
        "--app-channel-address",
        LOOPBACK,
        "--dapr-listen-addresses",
        LOOPBACK,
        "--dapr-http-port",
        str(ports.http),
        "--dapr-grpc-port",
        str(ports.grpc),
        "--dapr-internal-grpc-port",
        str(ports.internal),
        "--dapr-internal-grpc-listen-address",
        LOOPBACK,
        "--metrics-port",
        str(ports.metrics),
        "--metrics-listen-address",
        LOOPBACK,
        "--resources-path",
        str(REPO / "components" / prof),
        "--resources-path",
        str(REPO / "dapr" / "resiliency"),
        "--config",
        str(render_dapr_config(prof, config)),
        "--placement-host-address",
        "",
        "--scheduler-host-address",
        "",
        "--log-level",
        os.environ.get("DAPR_LOG_LEVEL", "warn"),
        "--dapr-graceful-shutdown-seconds",
        "5",
    ]


def _app_argv(app: str) -> list[str]:
    module = "gateway" if app == "gateway" else f"services.{app}"
    return [sys.executable, "-m", module]


def _app_env(prof: str, app: str) -> dict[str, str]:
    ports = load().apps[app]
    return {
        **shared_env(prof),
        "GRAPHIQL_ASSETS": str(bootstrap.graphiql_dir()),
        "APP_ID": app,
        "APP_PORT": str(ports.app),
        "HEALTH_PORT": str(ports.health),
        "DAPR_HTTP_PORT": str(ports.http),
        "DAPR_GRPC_PORT": str(ports.grpc),
        "DAPR_HOST_IP": LOOPBACK,
        "DAPR_RUNTIME_HOST": LOOPBACK,
    }


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


KAFKA_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{host}:{controller}
listeners=PLAINTEXT://{host}:{broker},CONTROLLER://{host}:{controller}
advertised.listeners=PLAINTEXT://{host}:{broker}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={data}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
log.retention.hours=24
"""

LOG4J = """\
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
"""


def _java_cp(libs: Path) -> str:
    return f"{libs}/*"


def _prepare_kafka(run: Path) -> Callable[[], None]:
    def prepare() -> None:
        p = load()
        home = run / "kafka"
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        (home / "server.properties").write_text(
            KAFKA_PROPERTIES.format(
                host=LOOPBACK, broker=p.kafka, controller=p.kafka_controller, data=data
            )
        )
        (home / "log4j.properties").write_text(LOG4J)
        if (data / "meta.properties").exists():
            return
        subprocess.run(
            [
                "java",
                "-cp",
                _java_cp(bootstrap.kafka_libs()),
                f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
                "kafka.tools.StorageTool",
                "format",
                "--ignore-formatted",
                "-t",
                "ZGFwcnNob3AtbG9jYWwtMQ",
                "-c",
                str(home / "server.properties"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return prepare


def infra_specs(prof: str) -> dict[str, Proc]:
    p = load()
    run = run_dir(prof)
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
            ready_url=f"http://{LOOPBACK}:{p.oidc}/shop/.well-known/openid-configuration",
            labels=("infra",),
            links=(
                (
                    f"http://{LOOPBACK}:{p.oidc}/shop/.well-known/openid-configuration",
                    "OIDC discovery",
                ),
            ),
            argv=[
                "java",
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                _java_cp(bootstrap.oidc_libs()),
                "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt",
            ],
            env={
                "SERVER_HOSTNAME": LOOPBACK,
                "SERVER_PORT": str(p.oidc),
                "JSON_CONFIG_PATH": str(REPO / "devmesh" / "oidc" / "config.json"),
            },
        ),
    ]
    if prof == "full":
        home = run / "kafka"
        specs.append(
            Proc(
                "kafka",
                ready_port=p.kafka,
                labels=("infra",),
                argv=[
                    "java",
                    "-Xms256m",
                    "-Xmx512m",
                    "-XX:+UseG1GC",
                    f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
                    "-cp",
                    _java_cp(bootstrap.kafka_libs()),
                    "kafka.Kafka",
                    str(home / "server.properties"),
                ],
                prepare=_prepare_kafka(run),
            )
        )
    return {s.name: s for s in specs}


APP_DEPS = {
    "user": ("mariadb", "redis"),
    "product": ("ferretdb", "redis"),
    "order": ("mariadb", "redis", "product"),
    "notification": ("mailpit", "redis"),
    "gateway": ("redis", "oidc", "user", "product", "order"),
}


def app_specs(prof: str) -> dict[str, Proc]:
    p = load()
    broker = ("kafka",) if prof == "full" else ()
    specs = {}
    for app in APP_NAMES:
        ports = p.apps[app]
        links: tuple[tuple[str, str], ...] = (
            (f"http://{LOOPBACK}:{ports.http}/v1.0/metadata", "Dapr metadata"),
        )
        if app == "gateway":
            links = ((f"http://{LOOPBACK}:{ports.app}/graphql", "GraphiQL"), *links)
        specs[app] = Proc(
            app,
            ready_url=f"http://{LOOPBACK}:{ports.http}/v1.0/healthz",
            deps=(*APP_DEPS[app], *broker),
            labels=("apps",),
            links=links,
            argv=_app_argv(app),
            env=_app_env(prof, app),
        )
    return specs


def specs(prof: str | None = None) -> dict[str, Proc]:
    prof = prof or profile()
    return {**infra_specs(prof), **app_specs(prof)}


# --- running one resource -----------------------------------------------------


def _forward_signals(children: list[subprocess.Popen[bytes]]) -> None:
    def handler(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _pidfile(prof: str, name: str) -> Path:
    pids = run_dir(prof) / "pids"
    pids.mkdir(exist_ok=True)
    return pids / f"{name}.pid"


def run(name: str, prof: str | None = None) -> int:
    """Run one resource in the foreground until it exits or is signalled."""
    prof = prof or profile()
    table = specs(prof)
    if name not in table:
        raise SystemExit(f"unknown resource {name!r}; known: {', '.join(table)}")
    spec = table[name]
    if spec.prepare:
        spec.prepare()
    env = {**os.environ, **spec.env}
    children: list[subprocess.Popen[bytes]] = []
    _forward_signals(children)
    # Every program is checked before any starts, so a missing one never
    # leaves half of a pair running.
    commands = [(spec.argv, env)]
    if name in APP_NAMES:
        sidecar_env = {**env, "DAPR_HOST_IP": LOOPBACK}
        commands.append((_daprd_argv(prof, name), sidecar_env))
    for argv, _ in commands:
        if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
            raise SystemExit(f"{argv[0]} is missing: run `make bootstrap`")
    for argv, child_env in commands:
        children.append(subprocess.Popen(argv, cwd=REPO, env=child_env))
    pidfile = _pidfile(prof, name)
    pidfile.write_text("\n".join(str(c.pid) for c in children))
    try:
        # A pair lives and dies together: if either exits, stop the other.
        while True:
            for child in children:
                try:
                    code = child.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    continue
                for other in children:
                    if other.poll() is None:
                        other.terminate()
                for other in children:
                    try:
                        other.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        other.kill()
                return code
    finally:
        pidfile.unlink(missing_ok=True)


def _is_ours(pid: int) -> bool:
    """A recorded pid may have been reused: only signal our own processes.

    Ours: its command line names the project, or its parent's does (the
    `devmesh run` wrapper). The parent matters for programs that rewrite
    their title: redis-server shows only "redis-server 127.0.0.1:<port>".
    """
    if _marked(pid):
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ppid = next(
        (
            int(line.split()[1])
            for line in status.splitlines()
            if line.startswith("PPid:")
        ),
        0,
    )
    return ppid > 1 and _marked(ppid)


def _marked(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return any(
        mark in cmdline for mark in (b"daprshop", b"devmesh", b"services.", b"gateway")
    )


def kill_leftovers(prof: str | None = None) -> list[int]:
    """Stop the processes a developer's mesh recorded in its pidfiles.

    Only the run folders of `make up`/`make run` (one per profile, or
    DAPRSHOP_RUN_DIR) are looked at; test and benchmark meshes are left alone.
    """
    folders = [run_dir(p) for p in ((prof,) if prof else PROFILES)]
    killed = []
    for folder in folders:
        for pidfile in folder.glob("pids/*.pid"):
            for raw in pidfile.read_text().split():
                pid = int(raw)
                if not _is_ours(pid):
                    continue
                try:
                    os.kill(pid, signal.SIGTERM)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
            pidfile.unlink(missing_ok=True)
    return killed


__all__ = ["PROFILES", "Proc", "kill_leftovers", "pins", "profile", "run", "specs"]
