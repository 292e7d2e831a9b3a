"""Direct connections to the mesh's servers, as the profile configures them.

Tests that check where an effect landed (a MySQL row, a MongoDB document, a
Kafka record) connect the way the apps do: with the addresses and credentials
of `launcher.shared_env(profile)`. On prod-local that means a MariaDB user
with a password, FerretDB with SCRAM, Kafka over SASL_SSL with SCRAM-SHA-512.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import pymysql
import redis
from kafka import KafkaConsumer
from pymongo import MongoClient

from devmesh import launcher, local_secrets, local_tls


def profile() -> str:
    return os.environ.get("PROFILE", "full")


def env() -> dict[str, str]:
    return launcher.shared_env(profile())


def mongo() -> MongoClient[dict[str, Any]]:
    return MongoClient(env()["MONGODB_URL"], serverSelectionTimeoutMS=5000)


def mysql(database: str) -> pymysql.Connection[Any]:
    url = urlsplit(env()["MYSQL_URL"])
    return pymysql.connect(
        host=url.hostname,
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        cursorclass=pymysql.cursors.DictCursor,
    )


def redis_client() -> redis.Redis:
    """Redis as the gateway reaches it (REDIS_URL: TLS and a password on
    prod-local, trusting the local CA)."""
    options: dict[str, Any] = {}
    if profile() == "prod-local":
        options = {"ssl_ca_certs": str(local_tls.files().ca)}
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
