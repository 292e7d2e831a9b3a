"""Each server accepts what its profile's components present, and on
prod-local nothing less: no plaintext Redis or Kafka, no passwordless MariaDB
root, no anonymous FerretDB. (On full and lite the local servers are open on
loopback; the same probes show it, so the test proves the difference.)"""

from __future__ import annotations

import socket
import ssl
from typing import Any

import pymongo
import pymysql
import pytest
from pymongo.errors import OperationFailure

from devmesh import local_tls, ports
from tests.integration import backends

pytestmark = pytest.mark.integration


def _hardened(profile: str) -> bool:
    return profile == "prod-local"


def _redis_ping(port: int, wrap: bool) -> bytes:
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn: socket.socket = raw
    if wrap:
        context = ssl.create_default_context(cafile=str(local_tls.files().ca))
        conn = context.wrap_socket(raw, server_hostname="127.0.0.1")
    try:
        conn.sendall(b"PING\r\n")
        return conn.recv(64)
    except OSError:
        return b""
    finally:
        conn.close()


@pytest.mark.lite
def test_redis_speaks_plaintext_only_off_prod_local(mesh: Any, profile: str) -> None:
    port = ports.load().redis
    if _hardened(profile):
        assert not _redis_ping(port, wrap=False).startswith(b"+PONG")
        assert _redis_ping(port, wrap=True).startswith(b"-NOAUTH")
    else:
        assert _redis_ping(port, wrap=False).startswith(b"+PONG")


@pytest.mark.lite
def test_mariadb_root_needs_a_password_on_prod_local(mesh: Any, profile: str) -> None:
    try:
        pymysql.connect(
            host="127.0.0.1", port=ports.load().mariadb, user="root", connect_timeout=5
        ).close()
        refused = False
    except pymysql.err.OperationalError:
        refused = True
    assert refused == _hardened(profile)
    with backends.mysql("shop_orders") as conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER() AS me")
        assert cur.fetchone()["me"].startswith("daprshop@" if refused else "root@")


@pytest.mark.lite
def test_ferretdb_refuses_anonymous_writes_on_prod_local(
    mesh: Any, profile: str
) -> None:
    anonymous: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        f"mongodb://127.0.0.1:{ports.load().ferretdb}/", serverSelectionTimeoutMS=5000
    )
    try:
        anonymous["shop"]["probe"].insert_one({"probe": 1})
        refused = False
    except OperationFailure:
        refused = True
    finally:
        anonymous.close()
    assert refused == _hardened(profile)
    with backends.mongo() as client:
        client["shop"]["probe"].insert_one({"probe": 2})  # the apps' login works


# Not on lite, which has no Kafka (Redis Streams carry its events).
def test_kafka_refuses_a_plaintext_client_on_prod_local(
    mesh: Any, profile: str
) -> None:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaConnectionError, KafkaTimeoutError

    brokers = backends.env()["KAFKA_BROKERS"].split(",")
    try:
        KafkaAdminClient(bootstrap_servers=brokers, request_timeout_ms=5000).close()
        refused = False
    except (KafkaConnectionError, KafkaTimeoutError):  # "Unable to bootstrap"
        refused = True
    assert refused == _hardened(profile)
    consumer = backends.kafka_consumer("user-created", 2000)
    try:  # the apps' way in (SASL_SSL on prod-local) reads the topics
        assert "user-created" in consumer.topics()
    finally:
        consumer.close()
