"""A small Kubernetes API client (httpx): discovery, server-side apply with
strict field validation, reads, and service-account token requests. Enough
for the API-server tier, so it needs no kubectl."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

Doc = dict[str, Any]
MANAGER = "daprshop-tests"


class ApplyRefused(AssertionError):
    pass


class Kube:
    def __init__(self, server: str, token: str, ca: Path) -> None:
        self.http = httpx.Client(
            base_url=server,
            headers={"Authorization": f"Bearer {token}"},
            verify=str(ca),
            timeout=30,
        )
        self._resources: dict[tuple[str, str], tuple[str, bool]] = {}

    def close(self) -> None:
        self.http.close()

    def discover(self) -> None:
        """(apiVersion, kind) -> (plural, namespaced), for every served kind."""
        versions = ["v1"]
        for group in self.http.get("/apis").raise_for_status().json()["groups"]:
            versions += [v["groupVersion"] for v in group["versions"]]
        self._resources.clear()
        for version in versions:
            base = "/api/v1" if version == "v1" else f"/apis/{version}"
            listing = self.http.get(base).raise_for_status().json()
            for res in listing["resources"]:
                if "/" not in res["name"]:
                    key = (version, res["kind"])
                    self._resources[key] = (res["name"], res["namespaced"])

    def path(
        self, api_version: str, kind: str, name: str, namespace: str | None
    ) -> str:
        if (api_version, kind) not in self._resources:
            self.discover()
        plural, namespaced = self._resources[(api_version, kind)]
        base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        scope = f"/namespaces/{namespace}" if namespaced and namespace else ""
        return f"{base}{scope}/{plural}/{name}"

    def doc_path(self, doc: Doc) -> str:
        meta = doc["metadata"]
        return self.path(
            doc["apiVersion"], doc["kind"], meta["name"], meta.get("namespace")
        )

    def apply(self, doc: Doc) -> Doc:
        """Server-side apply, refusing unknown or duplicate fields."""
        response = self.http.patch(
            self.doc_path(doc),
            params={
                "fieldManager": MANAGER,
                "fieldValidation": "Strict",
                "force": "true",
            },
            content=json.dumps(doc),
            headers={"Content-Type": "application/apply-patch+yaml"},
        )
        if response.status_code not in (200, 201):
            meta = doc["metadata"]
            raise ApplyRefused(
                f"{doc['kind']} {meta.get('namespace', '')}/{meta['name']}:"
                f" {response.status_code} {response.text}"
            )
        result: Doc = response.json()
        return result

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> Doc | None:
        response = self.http.get(self.path(api_version, kind, name, namespace))
        if response.status_code == 404:
            return None
        result: Doc = response.raise_for_status().json()
        return result

    def list(self, api_version: str, kind: str, namespace: str) -> list[Doc]:
        path = self.path(api_version, kind, "", namespace).rstrip("/")
        items: list[Doc] = self.http.get(path).raise_for_status().json()["items"]
        return items

    def token(self, namespace: str, account: str, pod: Doc, audience: str) -> str:
        """A service-account token bound to `pod`, as the kubelet projects it."""
        request = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {
                "audiences": [audience],
                "expirationSeconds": 3600,
                "boundObjectRef": {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "name": pod["metadata"]["name"],
                    "uid": pod["metadata"]["uid"],
                },
            },
        }
        path = f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token"
        response = self.http.post(path, json=request).raise_for_status()
        token: str = response.json()["status"]["token"]
        return token

    def wait_for(self, what: str, check: Any, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}")
