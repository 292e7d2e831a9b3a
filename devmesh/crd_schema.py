"""Check Dapr YAML against the CRD schemas of the pinned Dapr release, strictly.

daprd in standalone mode silently drops a field it does not know (a typo in a
resiliency policy, `initialInterval` on an exponential retry) and only
Kubernetes refuses a missing required one (`nameResolution.version`). This
reads the OpenAPI v3 schemas from the CRDs in the `github.com/dapr/dapr`
module that daprd is built from (`charts/dapr/crds/`, cached by the
bootstrap) and refuses unknown fields, missing required fields and wrong
types, naming the path of each problem, as `kubectl apply
--validate=strict` does.

    python -m devmesh.crd_schema dapr/resiliency/*.yaml components/full/*.yaml
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from devmesh import paths, pins

Schema = Mapping[str, Any]

# The CRDs leave `metadata` to Kubernetes (ObjectMeta); the part a Dapr file uses.
OBJECT_META: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {
            "type": "object",
            "additionalProperties": {"type": "string"},
        },
    },
}


def crd_folder() -> Path:
    return paths.CACHE / "src" / f"dapr-{pins.DAPR}" / "charts" / "dapr" / "crds"


@cache
def schemas() -> dict[tuple[str, str], Schema]:
    """(apiVersion, kind) -> openAPIV3Schema, for every CRD of the release."""
    found: dict[tuple[str, str], Schema] = {}
    for path in sorted(crd_folder().glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            group = doc["spec"]["group"]
            kind = doc["spec"]["names"]["kind"]
            for version in doc["spec"]["versions"]:
                schema = version["schema"]["openAPIV3Schema"]
                found[(f"{group}/{version['name']}", kind)] = schema
    if not found:
        raise FileNotFoundError(
            f"no Dapr CRDs under {crd_folder()}: run `python3 -m devmesh.bootstrap`"
        )
    return found


def problems(document: Mapping[str, Any]) -> list[str]:
    """Every schema violation of one Dapr resource; empty when it is valid."""
    key = (str(document.get("apiVersion")), str(document.get("kind")))
    schema = schemas().get(key)
    if schema is None:
        return [f"unknown resource type {key[0]} {key[1]}"]
    return list(_check(document, schema, "$"))


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def _check(value: Any, schema: Schema, path: str) -> Iterator[str]:
    if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get(
        "properties"
    ):
        return
    if schema.get("x-kubernetes-int-or-string"):
        if not isinstance(value, int | str):
            yield f"{path}: expected an integer or a string"
        return
    wanted = schema.get("type")
    if wanted and not _is(value, wanted):
        yield f"{path}: expected {wanted}, got {type(value).__name__}"
        return
    if isinstance(value, dict):
        yield from _check_object(value, schema, path)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _check(item, schema["items"], f"{path}[{index}]")


def _check_object(value: dict[str, Any], schema: Schema, path: str) -> Iterator[str]:
    for name in schema.get("required", []):
        if name not in value:
            yield f"{path}.{name}: required field missing"
    properties: Mapping[str, Schema] = schema.get("properties", {})
    if path == "$" and "metadata" in properties:
        properties = {**properties, "metadata": OBJECT_META}
    extra = schema.get("additionalProperties")
    for name, item in value.items():
        if name in properties:
            yield from _check(item, properties[name], f"{path}.{name}")
        elif isinstance(extra, dict):
            yield from _check(item, extra, f"{path}.{name}")
        elif not schema.get("x-kubernetes-preserve-unknown-fields"):
            yield f"{path}.{name}: unknown field"


def _is(value: Any, wanted: str) -> bool:
    if wanted in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(wanted, (object,)))


def main(argv: list[str]) -> int:
    failed = 0
    for name in argv:
        for document in yaml.safe_load_all(Path(name).read_text()):
            for problem in problems(document or {}):
                print(f"{name}: {problem}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
