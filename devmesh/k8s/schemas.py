"""kubeconform's JSON schemas, generated offline from the pinned sources.

- Kubernetes: the OpenAPI (Swagger 2) document of the k8s.io/kubernetes module
  (`api/openapi-spec/swagger.json`), one schema per group/version/kind.
- Dapr: the openAPIV3Schema of each CRD in the dapr module's chart
  (`charts/dapr/crds`, the files devmesh/crd_schema.py reads), with
  `metadata` checked as Kubernetes' ObjectMeta.

Both strict, as `kubectl apply --validate=strict` is: an object that lists its
properties refuses any other. Files are laid out as
`<out>/<group>/<kind>_<version>.json` for kubeconform's -schema-location
(`location()`; the core group's folder is `v1`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devmesh import crd_schema

Schema = dict[str, Any]
REF = "#/definitions/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING: Schema = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
DRAFT = "http://json-schema.org/draft-07/schema#"


def location(out: Path) -> str:
    """The -schema-location template for kubeconform."""
    return str(out) + "/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"


def strict(node: Any) -> Any:
    """A copy of an OpenAPI schema as a strict JSON schema."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string" or node.get("x-kubernetes-int-or-string"):
        return dict(INT_OR_STRING)
    out = {key: strict(value) for key, value in node.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if node.get("nullable") and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"][len(REF) :]} if "$ref" in node else set()
    return found.union(*(_refs(value) for value in node.values()))


def _reachable(roots: set[str], definitions: dict[str, Schema]) -> dict[str, Schema]:
    seen: dict[str, Schema] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = definitions[name]
            todo.extend(_refs(definitions[name]))
    return seen


def kubernetes_definitions(swagger: Path) -> dict[str, Schema]:
    definitions: dict[str, Schema] = json.loads(swagger.read_text())["definitions"]
    fixed = {name: strict(schema) for name, schema in definitions.items()}
    fixed[QUANTITY] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    return fixed


def _standalone(root: Schema, definitions: dict[str, Schema]) -> Schema:
    return {
        "$schema": DRAFT,
        **root,
        "definitions": _reachable(_refs(root), definitions),
    }


def kubernetes_schemas(swagger: Path) -> dict[tuple[str, str, str], Schema]:
    """(group or version, kind, version) -> schema, for every Kubernetes kind."""
    definitions = kubernetes_definitions(swagger)
    out: dict[tuple[str, str, str], Schema] = {}
    for name, schema in definitions.items():
        raw = json.loads(json.dumps(schema))
        for gvk in raw.pop("x-kubernetes-group-version-kind", []):
            folder = gvk["group"] or gvk["version"]
            key = (folder, gvk["kind"], gvk["version"])
            out[key] = _standalone(definitions[name], definitions)
    return out


def dapr_schemas(swagger: Path) -> dict[tuple[str, str, str], Schema]:
    """The same for every Dapr CRD version, ObjectMeta from Kubernetes."""
    definitions = kubernetes_definitions(swagger)
    out: dict[tuple[str, str, str], Schema] = {}
    for (api_version, kind), schema in crd_schema.schemas().items():
        group, version = api_version.split("/")
        root = strict(schema)
        root.setdefault("properties", {})["metadata"] = {"$ref": REF + OBJECT_META}
        out[(group, kind, version)] = _standalone(root, definitions)
    return out


def write(out: Path, swagger: Path) -> int:
    everything = {**kubernetes_schemas(swagger), **dapr_schemas(swagger)}
    for (folder, kind, version), schema in everything.items():
        path = out / folder / f"{kind.lower()}_{version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, separators=(",", ":")))
    return len(everything)
