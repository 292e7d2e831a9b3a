"""What a resource is (`Proc`) and which component profile runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

PROFILES = ("full", "lite", "prod-local")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Proc:
    name: str
    # TCP port, or an HTTP URL, that answers once the resource is ready.
    ready_port: int | None = None
    ready_url: str | None = None
    # Failed probes in a row before Tilt calls the resource not ready: 1 for a
    # service, whose own /readyz answers in milliseconds and whose port closes
    # when it dies, so a short crash-and-restart still shows in Tilt.
    probe_failures: int = 3
    deps: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[], None] | None = None


def profile() -> str:
    chosen = os.environ.get("PROFILE", "full")
    if chosen not in PROFILES:
        raise SystemExit(f"PROFILE must be one of {PROFILES}, not {chosen!r}")
    return chosen
