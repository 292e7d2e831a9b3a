"""Redis and a one-node Kafka on loopback, under the names the dev overlay's
Components use (redis:6379, kafka-0.kafka:9092, in the private hosts file),
so a daprd served those Components by the operator can initialize them."""

from __future__ import annotations

import socket
import subprocess

from devmesh import bootstrap
from devmesh.launcher.kafka import LOG4J, Node, java_cp, server_properties
from tests.k8s.api.processes import Processes


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(procs: Processes) -> None:
    procs.start(
        "redis",
        [
            "redis-server",
            "--port",
            "6379",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
    )
    home = procs.run / "kafka"
    home.mkdir()
    node = Node("kafka", 1, broker=9092, controller=9093)
    properties = server_properties(node, [node], home / "data")
    properties = properties.replace(
        "advertised.listeners=PLAINTEXT://127.0.0.1:9092",
        "advertised.listeners=PLAINTEXT://kafka-0.kafka:9092",
    )
    (home / "server.properties").write_text(properties)
    (home / "log4j.properties").write_text(LOG4J)
    java = [
        "java",
        "-cp",
        java_cp(bootstrap.kafka_libs()),
        f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
    ]
    subprocess.run(
        [
            *java,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            "ZGFwcnNob3AtazhzLXRpZXI",
            "-c",
            str(home / "server.properties"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    procs.start(
        "kafka",
        [
            *java[:1],
            "-Xmx384m",
            "-XX:TieredStopAtLevel=1",
            *java[1:],
            "kafka.Kafka",
            str(home / "server.properties"),
        ],
    )
    procs.wait("redis", lambda: _listening(6379))
    procs.wait("kafka", lambda: _listening(9092), timeout=90)
