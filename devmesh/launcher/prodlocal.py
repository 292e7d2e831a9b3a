"""The prod-local profile's servers: the full profile's, configured like prod.

- Kafka: one KRaft node whose only client listener is SASL_SSL (SCRAM-SHA-512
  users made when its storage is formatted; TLS with the local certificate).
- Redis: a TLS port only (no plaintext port) and a password.
- MariaDB: a `daprshop` user with a password (and a root password); the apps
  never log in as root.
- FerretDB: SCRAM authentication (its `--test-enable-new-auth`, experimental
  in 1.24) with a `daprshop` user.
- Mailpit: SMTP with a login (it accepts any, the notification app still
  reads its password from the secret store).

Passwords and certificates are per machine (devmesh/local_secrets.py,
devmesh/local_tls.py); they reach the servers through files of mode 0600 or
the environment, never a command line, except Kafka's storage formatting,
which takes the SCRAM users as arguments for the second it runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from devmesh import access, local_secrets, local_tls
from devmesh.launcher import kafka
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import load

PROFILE = "prod-local"

KAFKA_SECURITY = """\
listeners=SASL_SSL://{host}:{broker},CONTROLLER://{host}:{controller}
advertised.listeners=SASL_SSL://{host}:{broker}
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
org.apache.kafka.common.security.scram.ScramLoginModule required \
username="{admin}" password="{admin_password}";
ssl.keystore.type=PEM
ssl.keystore.location={keystore}
ssl.truststore.type=PEM
ssl.truststore.location={ca}
"""


def _private(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def _kafka_prepare(run: Path) -> Callable[[], None]:
    def prepare() -> None:
        node = kafka.nodes(1)[0]
        tls, pw = local_tls.ensure(), local_secrets.passwords()
        home = run / "kafka"
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        keystore = _private(
            home / "server.pem", tls.key.read_text() + tls.cert.read_text()
        )
        security = KAFKA_SECURITY.format(
            host=LOOPBACK,
            broker=node.broker,
            controller=node.controller,
            admin=local_secrets.KAFKA_ADMIN,
            admin_password=pw["kafka-admin"],
            keystore=keystore,
            ca=tls.ca,
        )
        properties = kafka.server_properties(node, [node], data, listeners=security)
        _private(home / "server.properties", properties)
        (home / "log4j.properties").write_text(kafka.LOG4J)
        if (data / "meta.properties").exists():
            return
        users = (
            (local_secrets.KAFKA_ADMIN, pw["kafka-admin"]),
            (local_secrets.USER, pw["kafka"]),
        )
        scram = [
            arg
            for name, password in users
            for arg in (
                "--add-scram",
                f"SCRAM-SHA-512=[name={name},password={password}]",
            )
        ]
        kafka.format_storage(home, kafka.CLUSTER_IDS[1], tuple(scram))

    return prepare


def _redis(spec: Proc, run: Path) -> Proc:
    conf = run / "redis.conf"

    def prepare() -> None:
        p, tls = load(), local_tls.ensure()
        _private(
            conf,
            f"requirepass {local_secrets.passwords()['redis']}\n"
            f"tls-port {p.redis}\nport 0\n"
            f"tls-cert-file {tls.cert}\ntls-key-file {tls.key}\n"
            f"tls-ca-cert-file {tls.ca}\ntls-auth-clients no\n",
        )

    rest = spec.argv[1:]
    at = rest.index("--port")
    del rest[at : at + 2]  # the config file sets the ports
    return dataclasses.replace(
        spec, argv=[spec.argv[0], str(conf), *rest], prepare=prepare
    )


def _mariadb_init(path: Path) -> None:
    pw = local_secrets.passwords()
    user = f"'{local_secrets.USER}'@'{LOOPBACK}'"
    # The services' databases, and the integration tests' scratch ones
    # (`it_<name>_<random>`, made and dropped by the tests).
    grants = "".join(
        f"GRANT ALL PRIVILEGES ON `{db}`.* TO {user};\n"
        for db in ("shop_users", "shop_orders", "it\\_%")
    )
    roots = "".join(
        f"ALTER USER IF EXISTS 'root'@'{host}' IDENTIFIED BY '{pw['mysql-root']}';\n"
        for host in ("localhost", LOOPBACK, "::1")
    )
    _private(
        path,
        f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{pw['mysql']}';\n"
        f"ALTER USER {user} IDENTIFIED BY '{pw['mysql']}';\n" + grants + roots,
    )


def _mariadb(spec: Proc, run: Path) -> Proc:
    """Its init file runs at every start: the user exists with the current
    password, root has one too."""
    init = run / "mariadb-init.sql"
    make_datadir = spec.prepare

    def prepare() -> None:
        if make_datadir:
            make_datadir()
        _mariadb_init(init)

    return dataclasses.replace(
        spec, argv=[*spec.argv, f"--init-file={init}"], prepare=prepare
    )


def _ferretdb(spec: Proc) -> Proc:
    return dataclasses.replace(
        spec,
        argv=[*spec.argv, "--test-enable-new-auth"],
        env={
            **spec.env,
            "FERRETDB_SETUP_USERNAME": local_secrets.USER,
            "FERRETDB_SETUP_PASSWORD": local_secrets.passwords()["mongodb"],
            "FERRETDB_SETUP_DATABASE": "admin",
        },
    )


def harden(specs: dict[str, Proc], run: Path) -> dict[str, Proc]:
    """The full profile's infrastructure, configured the way prod is."""
    if kafka.cluster_size() != 1:
        raise SystemExit("prod-local runs one Kafka node (KAFKA_NODES=1)")
    out = dict(specs)
    out["redis"] = _redis(specs["redis"], run)
    out["mariadb"] = _mariadb(specs["mariadb"], run)
    out["ferretdb"] = _ferretdb(specs["ferretdb"])
    out["kafka"] = dataclasses.replace(specs["kafka"], prepare=_kafka_prepare(run))
    return out


def client_env(run: Path) -> dict[str, str]:
    """What apps and sidecars get on prod-local, over the shared environment:
    the secret store's file, TLS addresses, user names. No password: the
    database URLs name the user only, REDIS_URL no one, and the apps read
    the passwords from the secret store through their sidecars
    (common/app_secrets.py), as notification its SMTP one and the gateway
    its OIDC client secret and session secret (gateway/auth_secrets.py)."""
    p, tls = load(), local_tls.ensure()
    return {
        "SHOP_SECRETS_FILE": str(local_secrets.write_store(run, p, tls)),
        "SSL_CERT_FILE": str(tls.bundle),
        "REDIS_URL": f"rediss://{LOOPBACK}:{p.redis}/0",
        "REDIS_PASSWORD_SECRET": access.REDIS_SECRET,
        "MYSQL_URL": local_secrets.mysql_url(p),
        "MYSQL_PASSWORD_SECRET": access.MYSQL_SECRET,
        "MONGODB_URL": local_secrets.mongodb_url(p),
        "MONGODB_PASSWORD_SECRET": access.MONGODB_SECRET,
        "SMTP_USERNAME": local_secrets.USER,
        "OIDC_CLIENT_SECRET_SECRET": access.OIDC_CLIENT_SECRET,
        "SESSION_SECRET_SECRET": access.SESSION_SECRET,
    }
