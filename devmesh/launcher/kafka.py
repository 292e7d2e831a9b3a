"""Kafka (KRaft, one node) for the full profile: its files and its command."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from devmesh import bootstrap
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import load

PROPERTIES = """\
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


def java_cp(libs: Path) -> str:
    return f"{libs}/*"


def _prepare(run: Path) -> Callable[[], None]:
    def prepare() -> None:
        p = load()
        home = run / "kafka"
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        (home / "server.properties").write_text(
            PROPERTIES.format(
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
                java_cp(bootstrap.kafka_libs()),
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


def kafka_spec(run: Path) -> Proc:
    home = run / "kafka"
    return Proc(
        "kafka",
        ready_port=load().kafka,
        labels=("infra",),
        argv=[
            "java",
            "-Xms256m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
            "-cp",
            java_cp(bootstrap.kafka_libs()),
            "kafka.Kafka",
            str(home / "server.properties"),
        ],
        prepare=_prepare(run),
    )
