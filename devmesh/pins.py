"""Pinned versions of every external part the bootstrap installs."""

DAPR = "1.18.3"
# The module proxy reachable here does not serve durabletask-go v0.12.4, which
# dapr 1.18.3 requires; v0.12.1 (used by dapr 1.18.0/1.18.1) is API-compatible.
DAPR_DURABLETASK = "v0.12.1"
TILT = "0.37.1"
FERRETDB = "1.24.2"
MAILPIT = "1.27.11"
KAFKA = "3.9.1"
MOCK_OAUTH2 = "6.0.2"
# The trace store: Zipkin server's self-contained "exec" jar.
ZIPKIN = "3.5.1"
# The metrics server: Prometheus 3.16.0 is Go module version 0.316.0. Its web
# UI is built with pnpm (from npm); the registry does not serve the
# @mantine/code-highlight 9.7.2 its lockfile names, so that one package is
# pinned to the newest it serves (the rest of the lock is kept).
PROMETHEUS = "3.16.0"
PROMETHEUS_MODULE = "0.316.0"
PNPM = "12.4.2"
PROMETHEUS_CODE_HIGHLIGHT = "9.6.2"
UV = "0.13.9"
# chromium + chromium-driver: the browser tier (tests/browser, Selenium).
APT_PACKAGES = (
    "redis-server",
    "mariadb-server",
    "mariadb-client",
    "chromium",
    "chromium-driver",
)
# `make images` (optional bootstrap part `images`): buildah builds, podman runs
# (with runc), debootstrap makes the root file system.
IMAGE_APT_PACKAGES = ("buildah", "podman", "debootstrap", "runc")
# Contract tools (`make lint`, `make protos`), built from their Go modules.
BUF = "1.75.0"
PROTOC_GEN_GO = "1.36.12"
PROTOC_GEN_GO_GRPC = "1.6.2"
# Kubernetes route (deploy/): manifest tools, and the API-server tier's
# control plane, each built from its Go module.
KUBERNETES = "1.36.3"
ETCD = "3.6.8"
# kustomize 5.8.3 needs Go 1.27; 5.8.2 is the newest the toolchain here builds.
KUSTOMIZE = "5.8.2"
KUBECONFORM = "0.8.0"
