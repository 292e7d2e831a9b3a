"""Policy checks on the rendered overlays, beyond what a schema can say."""

from __future__ import annotations

from typing import Any

import pytest

from devmesh import access
from devmesh.images import names as images
from devmesh.launcher import sidecar
from devmesh.ports import APP_NAMES, load
from tests.k8s.manifests import OVERLAYS, Doc, app_deployments, build, of_kind

pytestmark = pytest.mark.k8s_offline
WORKLOADS = ("Deployment", "StatefulSet")


def pod_specs(docs: list[Doc]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for kind in WORKLOADS
        for doc in of_kind(docs, kind)
    ]


def containers(docs: list[Doc]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, c)
        for name, spec in pod_specs(docs)
        for c in spec.get("initContainers", []) + spec["containers"]
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_image_has_a_pinned_tag(overlay: str) -> None:
    for name, c in containers(build(overlay)):
        image = c["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", f"{name}: {image}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_probes_and_limits(overlay: str) -> None:
    for name, c in containers(build(overlay)):
        assert "readinessProbe" in c and "livenessProbe" in c, name
        resources = c.get("resources", {})
        assert {"cpu", "memory"} <= set(resources.get("limits", {})), name
        assert {"cpu", "memory"} <= set(resources.get("requests", {})), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_dapr_annotations_match_the_port_table(overlay: str) -> None:
    docs = build(overlay)
    deployments = app_deployments(docs)
    assert sorted(deployments) == sorted(APP_NAMES)
    configs = {d["metadata"]["name"] for d in of_kind(docs, "Configuration")}
    for app, doc in deployments.items():
        notes = doc["spec"]["template"]["metadata"]["annotations"]
        assert notes["dapr.io/app-port"] == str(load(0).apps[app].app), app
        protocol = "http" if app == "gateway" else "grpc"
        assert notes["dapr.io/app-protocol"] == protocol, app
        assert notes["dapr.io/config"] in configs, app
        assert notes["dapr.io/api-token-secret"] == f"{app}-dapr-api-token"
        assert notes["dapr.io/app-token-secret"] == f"{app}-app-api-token"
        assert notes["dapr.io/disable-builtin-k8s-secret-store"] == "true"
        for key in ("cpu-request", "cpu-limit", "memory-request", "memory-limit"):
            assert f"dapr.io/sidecar-{key}" in notes, (app, key)
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["APP_ID"] == app
        assert env["APP_PORT"] == notes["dapr.io/app-port"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_sidecars_are_our_daprd_from_the_apps_registry_with_app_health(
    overlay: str,
) -> None:
    """The injector is told our daprd image (it carries devmesh/bootstrap's
    fixes), from the registry the app's own image comes from, and runs the
    app health checks the local sidecars run."""
    for app, doc in app_deployments(build(overlay)).items():
        notes = doc["spec"]["template"]["metadata"]["annotations"]
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        registry = container["image"].rpartition(images.image(app))[0]
        assert notes["dapr.io/sidecar-image"] == registry + images.ref(images.DAPRD), (
            app
        )
        assert notes["dapr.io/enable-app-health-check"] == "true", app
        threshold = notes["dapr.io/app-health-threshold"]
        assert threshold == str(sidecar.APP_HEALTH_THRESHOLD), app
        path = notes.get("dapr.io/app-health-check-path")
        assert path == (sidecar.GATEWAY_HEALTH_PATH if app == "gateway" else None)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_configuration_carries_its_apps_access_table(overlay: str) -> None:
    docs = build(overlay)
    configs = {d["metadata"]["name"]: d for d in of_kind(docs, "Configuration")}
    for app, doc in app_deployments(docs).items():
        notes = doc["spec"]["template"]["metadata"]["annotations"]
        spec = configs[notes["dapr.io/config"]]["spec"]
        callers = {p["appId"] for p in spec["accessControl"]["policies"]}
        assert callers == set(access.callers_of(app)), app
        allowed = {a["name"] for a in spec["api"]["allowed"]}
        assert allowed == set(access.APIS[app]), app


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_component_is_scoped_to_known_apps(overlay: str) -> None:
    for doc in of_kind(build(overlay), "Component"):
        assert doc["scopes"] and set(doc["scopes"]) <= set(APP_NAMES)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apps_run_as_non_root_on_a_read_only_root(overlay: str) -> None:
    for doc in app_deployments(build(overlay)).values():
        spec = doc["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for c in spec["containers"]:
            context = c["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]


def test_prod_budgets_scales_and_isolates_every_app() -> None:
    docs = build("prod")
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for d in of_kind(docs, "PodDisruptionBudget")
    }
    scalers = {
        d["spec"]["scaleTargetRef"]["name"]
        for d in of_kind(docs, "HorizontalPodAutoscaler")
    }
    assert budgets == scalers == set(APP_NAMES)
    policies = {
        d["metadata"]["name"]: d["spec"] for d in of_kind(docs, "NetworkPolicy")
    }
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {
        "Ingress",
        "Egress",
    }
    assert "ingress" not in deny and "egress" not in deny
    (namespace,) = of_kind(docs, "Namespace")
    assert (
        namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )


def test_prod_runs_no_infrastructure_and_reads_credentials_from_secrets() -> None:
    docs = build("prod")
    assert of_kind(docs, "StatefulSet") == []
    for app, doc in app_deployments(docs).items():
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        refs = [e for e in container["envFrom"] if "secretRef" in e]
        assert refs == [{"secretRef": {"name": "daprshop-endpoints"}}], app
        notes = doc["spec"]["template"]["metadata"]["annotations"]
        assert "dapr.io/env" not in notes  # no literal sidecar environment in prod
        assert "KAFKA_BROKERS=daprshop-sidecar:" in notes["dapr.io/env-from-secret"]


def test_dev_runs_each_backing_service_as_a_statefulset() -> None:
    names = {d["metadata"]["name"] for d in of_kind(build("dev"), "StatefulSet")}
    assert names == {"kafka", "redis", "mariadb", "ferretdb"}


def _app_env(overlay: str) -> dict[str, str]:
    (env,) = [
        d["data"]
        for d in of_kind(build(overlay), "ConfigMap")
        if d["metadata"]["name"].startswith("daprshop-env")
    ]
    return dict(env)


def test_prod_apps_read_their_server_passwords_from_the_secret_store() -> None:
    """The ConfigMap names the secrets; each Configuration lets exactly the
    apps that read a secret read it (the passwords stay in Vault)."""
    env = _app_env("prod")
    assert env["MYSQL_PASSWORD_SECRET"] == access.MYSQL_SECRET
    assert env["MONGODB_PASSWORD_SECRET"] == access.MONGODB_SECRET
    assert env["REDIS_PASSWORD_SECRET"] == access.REDIS_SECRET
    assert env["OIDC_CLIENT_SECRET_SECRET"] == access.OIDC_CLIENT_SECRET
    assert env["SESSION_SECRET_SECRET"] == access.SESSION_SECRET
    docs = build("prod")
    configs = {d["metadata"]["name"]: d for d in of_kind(docs, "Configuration")}
    readers = {
        access.MYSQL_SECRET: {"user", "order"},
        access.MONGODB_SECRET: {"product"},
        access.REDIS_SECRET: {"gateway"},
        access.OIDC_CLIENT_SECRET: {"gateway"},
        access.SESSION_SECRET: {"gateway"},
    }
    for app, doc in app_deployments(docs).items():
        notes = doc["spec"]["template"]["metadata"]["annotations"]
        (scope,) = configs[notes["dapr.io/config"]]["spec"]["secrets"]["scopes"]
        assert scope["defaultAccess"] == "deny"
        for secret, apps in readers.items():
            assert (secret in scope["allowedSecrets"]) == (app in apps), (app, secret)


def test_dev_keeps_plain_database_urls() -> None:
    """dev's in-cluster databases and Redis have no password: no secret to read."""
    env = _app_env("dev")
    assert not [name for name in env if name.endswith("_PASSWORD_SECRET")]
    assert not [name for name in env if name.endswith("_SECRET_SECRET")]
    assert env["MYSQL_URL"].startswith("mysql://root@")
