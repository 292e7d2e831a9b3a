"""The package boundaries, read from the source with `ast` (nothing is imported).

- gateway/ never imports services (it reaches them through their sidecars);
- a service never imports another service, nor the gateway;
- common/ imports neither the gateway nor the services;
- a domain (services/<name>/domain.py or domain/, common/domain.py) imports no
  transport or infrastructure library: the domain stays plain Python.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSPORTS = frozenset(
    {
        "dapr",
        "fastapi",
        "google",
        "grpc",
        "httpx",
        "protos",
        "pydantic",
        "pydantic_settings",
        "pymongo",
        "pymysql",
        "redis",
        "starlette",
        "strawberry",
    }
)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from services import order` imports services.order.
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if base else alias.name


def is_domain(module: str) -> bool:
    parts = module.split(".")
    in_service = parts[0] == "services" and len(parts) > 2 and parts[2] == "domain"
    return in_service or module == "common.domain"


def broken_rule(module: str, imported: str) -> str | None:
    here, there = module.split("."), imported.split(".")
    if here[0] == "gateway" and there[0] == "services":
        return "the gateway imports a service"
    if here[0] == "common" and there[0] in ("gateway", "services"):
        return "common imports the gateway or a service"
    if here[0] == "services" and there[0] == "gateway":
        return "a service imports the gateway"
    both_services = here[0] == there[0] == "services" and min(len(here), len(there)) > 1
    if both_services and here[1] != there[1]:
        return "a service imports another service"
    if is_domain(module) and there[0] in TRANSPORTS:
        return "a domain imports a transport"
    return None


def violations(root: Path) -> list[str]:
    found = []
    for top in ("gateway", "services", "common"):
        for path in sorted((root / top).rglob("*.py")):
            module = module_name(root, path)
            for line, imported in imports(root, path):
                if rule := broken_rule(module, imported):
                    where = path.relative_to(root)
                    found.append(f"{where}:{line}: {rule} ({imported})")
    return found


def test_the_tree_keeps_its_import_rules() -> None:
    assert violations(ROOT) == []


def test_the_rules_catch_each_bad_import(tmp_path: Path) -> None:
    files = {
        "gateway/clients.py": "from services.product import service\n",
        "services/order/adapters.py": "import services.product.domain\n",
        "services/order/app.py": "from ...gateway import app\n",
        "services/user/domain.py": "import grpc\nfrom pydantic import BaseModel\n",
        "services/user/domain/money.py": "from protos.common.v1 import money_pb2\n",
        "common/outbox.py": "from gateway import config\n",
        "common/domain.py": "from dapr.clients import DaprClient\n",
        # Allowed: a service's own modules, common, the standard library.
        "services/order/service.py": "from . import domain\nfrom common import x\n",
        "services/product/domain.py": "from dataclasses import dataclass\n",
        "gateway/app.py": "from common import logs\nimport grpc\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    assert violations(tmp_path) == [
        "gateway/clients.py:1: the gateway imports a service"
        " (services.product.service)",
        "services/order/adapters.py:1: a service imports another service"
        " (services.product.domain)",
        "services/order/app.py:1: a service imports the gateway (gateway.app)",
        "services/user/domain/money.py:1: a domain imports a transport"
        " (protos.common.v1.money_pb2)",
        "services/user/domain.py:1: a domain imports a transport (grpc)",
        "services/user/domain.py:2: a domain imports a transport (pydantic.BaseModel)",
        "common/domain.py:1: a domain imports a transport (dapr.clients.DaprClient)",
        "common/outbox.py:1: common imports the gateway or a service (gateway.config)",
    ]
