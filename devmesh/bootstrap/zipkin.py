"""Zipkin server as one self-contained jar from Maven Central: the trace store
every daprd and app exports spans to, with its UI at /zipkin/."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, maven_install, maven_libs


def libs() -> Path:
    return maven_libs("zipkin", pins.ZIPKIN)


def jar() -> Path:
    """The server's `exec` jar (`java -jar` runs it; it bundles its classpath)."""
    return libs() / f"zipkin-server-{pins.ZIPKIN}-exec.jar"


PART = Part(
    "zipkin",
    f"Zipkin server {pins.ZIPKIN} (Maven Central, ~131 MB)",
    lambda: jar().exists(),
    lambda: maven_install("zipkin", pins.ZIPKIN),
    "~1 min",
)
