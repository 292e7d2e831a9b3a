"""The Kubernetes route: deploy/ is rendered from the same sources as the
local meshes, so the two cannot drift.

- `dapr_resources`: the Dapr Configurations (dapr/*.yaml + devmesh/access.py,
  through the launcher's own `app_config`), Resiliency (dapr/resiliency) and
  Components (components/<profile>) as Kubernetes objects.
- `workloads`: each app's ServiceAccount, Service and Deployment, with the
  Dapr annotations, from devmesh/ports.yaml.
- `render`: writes them under deploy/ (`python -m devmesh.k8s render`;
  `--check` fails when a file is stale, as tests/k8s does).
- `schemas`: JSON schemas for kubeconform, from the Kubernetes module's
  OpenAPI document and the Dapr module's CRDs.
- `secrets`: the per-app API-token Secrets a cluster needs (never in git).

The images the Deployments name are those `make images` builds
(devmesh/images/names.py).
"""

from __future__ import annotations

NAMESPACE = "daprshop"
# overlay -> the component profile its Components are rendered from
OVERLAY_PROFILES = {"dev": "full", "prod": "prod"}
PART_OF = "daprshop"
