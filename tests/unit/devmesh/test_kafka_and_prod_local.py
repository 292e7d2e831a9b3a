"""The Kafka cluster variant and the prod-local profile's servers."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest

from devmesh import launcher, local_secrets, local_tls, ports
from devmesh.launcher import kafka, prodlocal


def _props(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k: v for k, v in pairs if not k.startswith("#")}


def test_one_node_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_NODES", raising=False)
    table = launcher.specs("full")
    assert [n for n in table if n.startswith("kafka")] == ["kafka"]
    assert launcher.shared_env("full")["KAFKA_BROKERS"] == (
        f"127.0.0.1:{ports.load().kafka}"
    )


def test_three_nodes_replicate_and_every_app_waits_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_NODES", "3")
    table = launcher.specs("full")
    names = ("kafka", "kafka-2", "kafka-3")
    assert all(name in table for name in names)
    for app in ports.APP_NAMES:
        assert set(names) <= set(table[app].deps), app
    brokers = launcher.shared_env("full")["KAFKA_BROKERS"].split(",")
    assert len(set(brokers)) == 3
    nodes = kafka.nodes()
    props = _props(kafka.server_properties(nodes[1], nodes, Path("/data")))
    assert props["node.id"] == "2"
    assert len(props["controller.quorum.voters"].split(",")) == 3
    assert props["default.replication.factor"] == "3"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert props["unclean.leader.election.enable"] == "false"


def test_cluster_nodes_have_their_own_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_NODES", "3")
    used = [(n.broker, n.controller) for n in kafka.nodes()]
    flat = [port for pair in used for port in pair]
    assert len(set(flat)) == 6


def test_other_cluster_sizes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_NODES", "2")
    with pytest.raises(SystemExit, match="KAFKA_NODES"):
        kafka.nodes()


def test_local_certificate_serves_loopback_and_chains_to_the_ca(
    tmp_path: Path,
) -> None:
    tls = local_tls.ensure(tmp_path / "tls")
    again = local_tls.ensure(tmp_path / "tls")
    assert tls.cert.read_bytes() == again.cert.read_bytes()  # made once
    assert tls.key.stat().st_mode & 0o077 == 0
    context = ssl.create_default_context(cafile=str(tls.bundle))
    context.load_cert_chain(str(tls.cert), str(tls.key))  # key matches cert
    assert tls.ca.read_text() in tls.bundle.read_text()


def test_passwords_are_made_once_privately(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    first = local_secrets.passwords(path)
    assert local_secrets.passwords(path) == first
    names = (*local_secrets.ACCOUNTS, *local_secrets.GATEWAY_SECRETS)
    assert set(first) == set(names)
    assert len(set(first.values())) == len(names)
    assert min(len(value) for value in first.values()) >= 32
    assert path.stat().st_mode & 0o077 == 0


def test_a_machine_s_passwords_gain_the_gateway_secrets_and_keep_the_rest(
    tmp_path: Path,
) -> None:
    """A file made before the gateway's secrets were stored: its passwords
    (the servers were set up with them) stay, the missing ones are added."""
    path = tmp_path / "passwords.json"
    old = {name: f"old-{name}" for name in local_secrets.ACCOUNTS}
    path.write_text(json.dumps(old))
    now = local_secrets.passwords(path)
    assert {name: now[name] for name in old} == old
    assert all(len(now[name]) >= 32 for name in local_secrets.GATEWAY_SECRETS)
    assert local_secrets.passwords(path) == now


def test_prod_local_hardens_every_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_NODES", raising=False)
    table = launcher.specs(prodlocal.PROFILE)
    redis = table["redis"]
    assert redis.argv[1].endswith("redis.conf") and "--port" not in redis.argv
    assert any(a.startswith("--init-file=") for a in table["mariadb"].argv)
    assert "--test-enable-new-auth" in table["ferretdb"].argv
    assert "FERRETDB_SETUP_PASSWORD" in table["ferretdb"].env
    secrets = local_secrets.passwords()
    for spec in table.values():  # no password on any command line
        assert not set(secrets.values()) & set(" ".join(spec.argv).split("="))
        assert not any(pw in " ".join(spec.argv) for pw in secrets.values())


def test_prod_local_apps_get_credentials_tls_and_the_secret_file() -> None:
    env = launcher.shared_env(prodlocal.PROFILE)
    assert env["REDIS_URL"].startswith("rediss://127.0.0.1:")
    assert env["MYSQL_URL"].startswith(f"mysql://{local_secrets.USER}@")
    assert env["MONGODB_URL"].startswith(f"mongodb://{local_secrets.USER}@")
    assert Path(env["SSL_CERT_FILE"]).exists()
    store = json.loads(Path(env["SHOP_SECRETS_FILE"]).read_text())
    assert set(store["kafka"]) == {"username", "password", "ca-cert"}
    assert set(store["redis"]) == {"host", "password"}
    assert store["smtp-password"]
    assert Path(env["SHOP_SECRETS_FILE"]).stat().st_mode & 0o077 == 0
