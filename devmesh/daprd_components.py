"""The Dapr component types compiled into our daprd, and why each is kept.

daprd registers every component type in its own file under
`cmd/daprd/components/` of the dapr module, named after the type
(`state.redis` -> `state_redis.go`, `nameresolution.sqlite` ->
`nameresolution_sqlite.go`). The bootstrap deletes every registration file not
listed here before building, so the binary carries only what this project can
load: 95 MB instead of the 225 MB of `-tags allcomponents`, and each sidecar's
idle RSS falls from about 130 to 70 MiB (14 MiB of it its own).

To use a new component type (in `components/<profile>/` or `dapr/*.yaml`), add
it to KEPT and run `python3 -m devmesh.bootstrap --only daprd`: the binary's
name changes with this list, so every machine rebuilds it. A unit test
(`tests/unit/devmesh/test_daprd_components.py`) fails until the type is here.

Pulsar (`pubsub.pulsar`) cannot be added: the Go module proxy reachable here
does not serve the forked Pulsar client dapr pins.

Standard library only: the bootstrap runs before any virtualenv exists.
"""

from __future__ import annotations

import hashlib

# Component type (as written in a Component's `spec.type`, a Configuration's
# middleware `type`, or `nameresolution.<component>`) -> who needs it.
KEPT: dict[str, str] = {
    "state.redis": "cache, idempotency (every profile)",
    "lock.redis": "lock: product's per-product stock lock (every profile)",
    "pubsub.kafka": "pubsub (full, prod-local, prod)",
    "pubsub.redis": "pubsub (lite)",
    "secretstores.local.env": "secrets (full, lite)",
    "secretstores.local.file": "secrets (prod-local: the stand-in for Vault)",
    "secretstores.hashicorp.vault": "secrets (prod)",
    "secretstores.kubernetes": "the store daprd adds by itself on Kubernetes",
    "bindings.localstorage": "sms (full, lite, prod-local)",
    "bindings.twilio.sms": "sms (prod)",
    "middleware.http.ratelimit": "gateway sidecar's pipeline, ratelimit (all)",
    "nameresolution.kubernetes": "dapr/*.yaml (address template); Kubernetes",
    "nameresolution.sqlite": "several instances per app id (fault tier, F9)",
    "nameresolution.mdns": "daprd's default when self-hosted",
}


def registration_file(component_type: str) -> str:
    """The file under cmd/daprd/components/ that registers this type."""
    return component_type.replace(".", "_") + ".go"


def kept_files() -> list[str]:
    return sorted(registration_file(t) for t in KEPT)


def digest() -> str:
    """Short hash of the kept set: part of the binary's name."""
    return hashlib.sha256("\n".join(sorted(KEPT)).encode()).hexdigest()[:8]
