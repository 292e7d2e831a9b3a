"""Kafka (KRaft) for the full profile: its files and its command lines.

One combined broker+controller node by default. `KAFKA_NODES=3` runs the
cluster variant: three nodes on loopback (resources `kafka`, `kafka-2`,
`kafka-3`), each a broker and a controller voter, topics replicated three
times with `min.insync.replicas=2`, so one node may die without losing an
acknowledged event or refusing a publish. The fault tier uses it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devmesh import bootstrap
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import load

CLUSTER_SIZES = (1, 3)

COMMON = """\
process.roles=broker,controller
node.id={node_id}
controller.quorum.voters={voters}
controller.listener.names=CONTROLLER
log.dirs={data}
num.partitions=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
# No replica that missed acknowledged writes may become leader.
unclean.leader.election.enable=false
# A week, Kafka's default: a subscriber down over a weekend still finds its
# events (the consumer offsets live as long).
log.retention.hours=168
offsets.retention.minutes=10080
"""

# A single node cannot replicate: an acknowledged event is in the OS page
# cache, so a killed broker loses nothing, a power cut may (see the README).
SINGLE = """\
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
"""

# Three copies of every partition; a write (producer acks=all) is acknowledged
# once two of them have it, so one node may die at any moment.
CLUSTER = """\
default.replication.factor=3
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
min.insync.replicas=2
"""

PLAINTEXT = """\
listeners=PLAINTEXT://{host}:{broker},CONTROLLER://{host}:{controller}
advertised.listeners=PLAINTEXT://{host}:{broker}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
"""

LOG4J = """\
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
"""

CLUSTER_IDS = {1: "ZGFwcnNob3AtbG9jYWwtMQ", 3: "ZGFwcnNob3AtY2x1c3Rlcg"}


@dataclass(frozen=True)
class Node:
    """One KRaft node: its resource name, id, and its two ports."""

    name: str
    node_id: int
    broker: int
    controller: int


def cluster_size() -> int:
    """How many Kafka nodes run: KAFKA_NODES (1, the default, or 3)."""
    raw = os.environ.get("KAFKA_NODES", "1")
    if not raw.isdigit() or int(raw) not in CLUSTER_SIZES:
        raise SystemExit(f"KAFKA_NODES must be one of {CLUSTER_SIZES}, not {raw!r}")
    return int(raw)


def nodes(size: int | None = None) -> list[Node]:
    size = size or cluster_size()
    p = load()
    first = Node("kafka", 1, p.kafka, p.kafka_controller)
    if size == 1:
        return [first]
    rest = [
        Node(f"kafka-{i}", i, p.infra[f"kafka_{i}"], p.infra[f"kafka_controller_{i}"])
        for i in range(2, size + 1)
    ]
    return [first, *rest]


def broker_names() -> tuple[str, ...]:
    return tuple(node.name for node in nodes())


def bootstrap_servers() -> str:
    """The brokers list a client starts from (the pubsub's `brokers`)."""
    return ",".join(f"{LOOPBACK}:{node.broker}" for node in nodes())


def uses_kafka(prof: str) -> bool:
    return prof in ("full", "prod-local")


def java_cp(libs: Path) -> str:
    return f"{libs}/*"


def node_home(run: Path, node: Node, size: int) -> Path:
    """A single node keeps the folder it always had; cluster nodes get theirs."""
    return run / "kafka" if size == 1 else run / "kafka-cluster" / node.name


def server_properties(
    node: Node, all_nodes: list[Node], data: Path, listeners: str | None = None
) -> str:
    """A node's server.properties; `listeners` replaces the plaintext
    listener block (prod-local's SASL_SSL one)."""
    voters = ",".join(f"{n.node_id}@{LOOPBACK}:{n.controller}" for n in all_nodes)
    if listeners is None:
        listeners = PLAINTEXT.format(
            host=LOOPBACK, broker=node.broker, controller=node.controller
        )
    return (
        COMMON.format(node_id=node.node_id, voters=voters, data=data)
        + (SINGLE if len(all_nodes) == 1 else CLUSTER)
        + listeners
    )


def format_storage(home: Path, cluster_id: str, extra: tuple[str, ...] = ()) -> None:
    """Format a node's log folder once (KRaft needs it before the first start)."""
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
            cluster_id,
            "-c",
            str(home / "server.properties"),
            *extra,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _prepare(run: Path, node: Node, all_nodes: list[Node]) -> Callable[[], None]:
    def prepare() -> None:
        home = node_home(run, node, len(all_nodes))
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        (home / "server.properties").write_text(
            server_properties(node, all_nodes, data)
        )
        (home / "log4j.properties").write_text(LOG4J)
        if not (data / "meta.properties").exists():
            format_storage(home, CLUSTER_IDS[len(all_nodes)])

    return prepare


def broker_argv(home: Path, cluster: bool) -> list[str]:
    # Three cluster nodes share the machine: each gets a smaller heap.
    heap = ("-Xms128m", "-Xmx384m") if cluster else ("-Xms256m", "-Xmx512m")
    return [
        "java",
        *heap,
        "-XX:+UseG1GC",
        f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
        "-cp",
        java_cp(bootstrap.kafka_libs()),
        "kafka.Kafka",
        str(home / "server.properties"),
    ]


def kafka_specs(run: Path) -> list[Proc]:
    """One resource per node; the apps depend on every one. A node's broker
    port opens only once a controller quorum has formed, which needs a second
    node: so in a cluster the first nodes are ready when their controller
    listens, the last when its broker does (the quorum exists by then)."""
    all_nodes = nodes()
    cluster = len(all_nodes) > 1
    last = all_nodes[-1]
    return [
        Proc(
            node.name,
            ready_port=node.controller if node != last else node.broker,
            labels=("infra",),
            argv=broker_argv(node_home(run, node, len(all_nodes)), cluster),
            prepare=_prepare(run, node, all_nodes),
        )
        for node in all_nodes
    ]
