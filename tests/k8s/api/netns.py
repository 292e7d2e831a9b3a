"""Run a command (pytest) inside a private network and mount namespace, as
the API-server tier needs:

- the Dapr sidecar injector and the Dapr health servers bind every
  interface, whatever their flags say: a namespace with only loopback keeps
  them off the machine's network and away from other meshes' ports;
- the injector gives a Pod the projected Sentry token only when its own
  Pod has one, at a fixed path under /var/run: a tmpfs over /run lets the
  tier put one there without touching the machine's;
- Sentry certifies the injector only as dapr-sidecar-injector.dapr-system.svc,
  the API server calls the webhook by that name, and Sentry and daprd look up
  kubernetes.default.svc and the control plane's Service names: a private
  /etc/hosts (bind-mounted in the private mount namespace) resolves them all
  to loopback.

    python -m tests.k8s.api.netns tests/k8s -m k8s_api

Needs root (or unprivileged user namespaces) and util-linux's unshare.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# The injected daprd reaches Sentry and the operator at <service>:443 (the
# chart's Service ports): each gets its own loopback address.
HOSTS = {
    "127.0.0.1": (
        "localhost",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "dapr-sidecar-injector.dapr-system.svc",
        # The dev overlay's backing services, as the sidecar's Components name them.
        "redis",
        "kafka-0.kafka",
    ),
    "127.0.0.2": (
        "dapr-sentry.dapr-system.svc",
        "dapr-sentry.dapr-system.svc.cluster.local",
    ),
    "127.0.0.3": ("dapr-api.dapr-system.svc", "dapr-api.dapr-system.svc.cluster.local"),
}
INSIDE = "DAPRSHOP_K8S_NETNS"


def in_private_netns() -> bool:
    return os.environ.get(INSIDE) == os.readlink("/proc/self/ns/net")


def _inside(argv: list[str]) -> int:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # A private /run: the injector looks for its own Pod's projected token at
    # /var/run/secrets/dapr.io/sentrytoken/token (daprcp.py writes it there).
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    with tempfile.TemporaryDirectory() as folder:
        hosts = Path(folder) / "hosts"
        hosts.write_text("".join(f"{ip} {' '.join(n)}\n" for ip, n in HOSTS.items()))
        subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
        os.environ[INSIDE] = os.readlink("/proc/self/ns/net")
        return subprocess.run([sys.executable, "-m", "pytest", *argv]).returncode


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inside"]:
        return _inside(argv[1:])
    command = ["unshare", "--net", "--mount", "--fork", "--"]
    command += [sys.executable, "-m", "tests.k8s.api.netns", "--inside", *argv]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
