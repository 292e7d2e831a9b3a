"""etcd, kube-apiserver and kube-controller-manager (only the deployment and
replicaset controllers: Deployments become Pods, which no kubelet runs)."""

from __future__ import annotations

from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devmesh import bootstrap
from tests.k8s.api.processes import Processes, http_ok

TOKEN = "daprshop-k8s-tier-admin"
SERVER = "https://127.0.0.1:6443"
ISSUER = "https://kubernetes.default.svc.cluster.local"


def _service_account_key(folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "sa.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path


def kubeconfig(run: Path, ca: Path) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "tier",
                "cluster": {"server": SERVER, "certificate-authority": str(ca)},
            }
        ],
        "users": [{"name": "admin", "user": {"token": TOKEN}}],
        "contexts": [{"name": "tier", "context": {"cluster": "tier", "user": "admin"}}],
        "current-context": "tier",
    }
    path = run / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def ca_file(run: Path) -> Path:
    """The API server's self-signed serving certificate (made on first start)."""
    return run / "apiserver-certs" / "apiserver.crt"


def start(procs: Processes) -> Path:
    run = procs.run
    procs.start(
        "etcd",
        [
            str(bootstrap.etcd_bin()),
            f"--data-dir={run / 'etcd'}",
            "--listen-client-urls=http://127.0.0.1:2379",
            "--advertise-client-urls=http://127.0.0.1:2379",
            "--listen-peer-urls=http://127.0.0.1:2380",
            "--log-level=warn",
        ],
    )
    procs.wait("etcd", http_ok("http://127.0.0.1:2379/health"))
    (run / "tokens.csv").write_text(f'{TOKEN},admin,admin,"system:masters"\n')
    key = _service_account_key(run)
    procs.start(
        "kube-apiserver",
        [
            str(bootstrap.kube_bin("kube-apiserver")),
            "--etcd-servers=http://127.0.0.1:2379",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--secure-port=6443",
            f"--cert-dir={run / 'apiserver-certs'}",
            f"--token-auth-file={run / 'tokens.csv'}",
            "--authorization-mode=RBAC",
            f"--service-account-issuer={ISSUER}",
            f"--service-account-key-file={key}",
            f"--service-account-signing-key-file={key}",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--api-audiences=" + ISSUER,
        ],
    )
    ca = ca_file(run)
    procs.wait(
        "kube-apiserver",
        lambda: (
            ca.exists()
            and http_ok(
                f"{SERVER}/readyz",
                verify=str(ca),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )()
        ),
        timeout=120,
    )
    config = kubeconfig(run, ca)
    procs.start(
        "kube-controller-manager",
        [
            str(bootstrap.kube_bin("kube-controller-manager")),
            f"--kubeconfig={config}",
            "--controllers=deployment,replicaset",
            "--leader-elect=false",
            "--secure-port=0",
        ],
    )
    return config
