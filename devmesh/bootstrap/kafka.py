"""Apache Kafka (KRaft, one node) as jars from Maven Central: the full profile's
broker."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, maven_install, maven_libs


def libs() -> Path:
    return maven_libs("kafka", pins.KAFKA)


PART = Part(
    "kafka",
    f"Apache Kafka {pins.KAFKA} (Maven Central)",
    lambda: libs().exists(),
    lambda: maven_install("kafka", pins.KAFKA),
    "~1 min",
)
