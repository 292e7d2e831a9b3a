"""Direct connections to the mesh's servers, as the profile configures them.

Tests that check where an effect landed (a MySQL row, a MongoDB document, a
Kafka record) connect the way the apps do: with the addresses and credentials
of `launcher.shared_env(profile)`. On prod-local that means a MariaDB user
with a password, FerretDB with SCRAM, Kafka over SASL_SSL with SCRAM-SHA-512;
the database passwords come from the secret store's file, as the apps get
them from the store (`mysql_url`, `mongodb_url`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pymysql
import redis
from kafka import KafkaConsumer
from pymongo import MongoClient

from common.app_secrets import with_password
from devmesh import launcher, local_secrets, local_tls


def profile() -> str:
    return os.environ.get("PROFILE", "full")


def env() -> dict[str, str]:
    return launcher.shared_env(profile())


def _login_url(shared: dict[str, str], url: str, secret: str) -> str:
    """The URL `url` names, with the password the apps read from the secret
    store when `secret` names one (prod-local: they get no password in their
    environment); the test reads the store's own file."""
    if not shared.get(secret):
        return shared[url]
    store = json.loads(Path(shared["SHOP_SECRETS_FILE"]).read_text())
    return with_password(shared[url], store[shared[secret]]["password"])


def mysql_url(shared: dict[str, str] | None = None) -> str:
    return _login_url(shared or env(), "MYSQL_URL", "MYSQL_PASSWORD_SECRET")


def mongodb_url(shared: dict[str, str] | None = None) -> str:
    return _login_url(shared or env(), "MONGODB_URL", "MONGODB_PASSWORD_SECRET")


def mongo() -> MongoClient[dict[str, Any]]:
    return MongoClient(mongodb_url(), serverSelectionTimeoutMS=5000)


def mysql(database: str) -> pymysql.Connection[Any]:
    url = urlsplit(mysql_url())
    return pymysql.connect(
        host=url.hostname,
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        cursorclass=pymysql.cursors.DictCursor,
    )


def redis_client() -> redis.Redis:
    """Redis as the gateway reaches it (REDIS_URL; on prod-local TLS, trusting
    the local CA, and the password the gateway reads from the secret store)."""
    options: dict[str, Any] = {}
    if profile() == "prod-local":
        options = {
            "ssl_ca_certs": str(local_tls.files().ca),
            "password": local_secrets.passwords()["redis"],
        }
    return redis.Redis.from_url(env()["REDIS_URL"], **options)


def kafka_consumer(topic: str, timeout_ms: int) -> KafkaConsumer:
    options: dict[str, Any] = {}
    if profile() == "prod-local":
        options = {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": local_secrets.USER,
            "sasl_plain_password": local_secrets.passwords()["kafka"],
            "ssl_cafile": str(local_tls.files().ca),
        }
    return KafkaConsumer(
        topic,
        bootstrap_servers=env()["KAFKA_BROKERS"].split(","),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=timeout_ms,
        **options,
    )
