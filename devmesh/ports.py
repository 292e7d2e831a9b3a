"""Typed view of `ports.yaml`, shifted by DAPRSHOP_PORT_OFFSET."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PORTS_FILE = Path(__file__).with_name("ports.yaml")
APP_NAMES = ("gateway", "user", "product", "order", "notification", "cart")

# Port offsets of the meshes that may run side by side on one machine. Chosen so
# that no port of one lands on a port of another (tests/unit/devmesh checks it).
OFFSETS = {
    "dev": 0,
    "test-full": 500,
    "test-lite": 700,
    "test-tilt": 900,
    "bench": 1050,
    "test-prod-local": 1250,
}


@dataclass(frozen=True)
class AppPorts:
    app: int
    http: int
    grpc: int
    internal: int
    metrics: int
    health: int
    app_metrics: int


@dataclass(frozen=True)
class Ports:
    infra: dict[str, int]
    apps: dict[str, AppPorts]

    def __getattr__(self, name: str) -> int:
        try:
            return self.infra[name]
        except KeyError:
            raise AttributeError(name) from None


def offset() -> int:
    return int(os.environ.get("DAPRSHOP_PORT_OFFSET", "0"))


@cache
def load(shift: int | None = None) -> Ports:
    shift = offset() if shift is None else shift
    raw = yaml.safe_load(PORTS_FILE.read_text())
    infra = {name: port + shift for name, port in raw["infra"].items()}
    apps = {
        name: AppPorts(**{k: v + shift for k, v in table.items()})
        for name, table in raw["apps"].items()
    }
    return Ports(infra=infra, apps=apps)
