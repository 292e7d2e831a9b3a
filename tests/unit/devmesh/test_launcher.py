import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from devmesh import launcher
from devmesh.launcher import leftovers
from devmesh.launcher.dapr_config import render_app_config
from devmesh.paths import run_dir
from devmesh.ports import APP_NAMES, load


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_every_sidecar_listens_on_loopback_only() -> None:
    for app in APP_NAMES:
        argv = launcher.daprd_argv("full", app)
        assert _flag(argv, "--dapr-listen-addresses") == "127.0.0.1"
        assert _flag(argv, "--dapr-internal-grpc-listen-address") == "127.0.0.1"
        assert _flag(argv, "--metrics-listen-address") == "127.0.0.1"
        assert _flag(argv, "--app-channel-address") == "127.0.0.1"


def test_sidecars_have_distinct_metrics_ports() -> None:
    metrics = {
        _flag(launcher.daprd_argv("full", a), "--metrics-port") for a in APP_NAMES
    }
    assert len(metrics) == len(APP_NAMES)


def test_no_placement_or_scheduler_address() -> None:
    argv = launcher.daprd_argv("full", "order")
    assert _flag(argv, "--placement-host-address") == ""
    assert _flag(argv, "--scheduler-host-address") == ""


def test_profile_selects_component_folder() -> None:
    assert _flag(launcher.daprd_argv("lite", "user"), "--resources-path").endswith(
        "components/lite"
    )


def test_lite_profile_runs_no_kafka() -> None:
    assert "kafka" in launcher.specs("full")
    assert "kafka" not in launcher.specs("lite")
    assert all("kafka" not in s.deps for s in launcher.specs("lite").values())


def test_every_dependency_is_a_resource() -> None:
    for profile in launcher.PROFILES:
        table = launcher.specs(profile)
        for spec in table.values():
            assert set(spec.deps) <= set(table), spec.name


def test_gateway_sidecar_gets_the_pipeline_configuration() -> None:
    def pipeline(app: str) -> object:
        path = _flag(launcher.daprd_argv("full", app), "--config")
        return yaml.safe_load(open(path).read())["spec"].get("httpPipeline")

    assert pipeline("gateway") == {
        "handlers": [{"name": "ratelimit", "type": "middleware.http.ratelimit"}]
    }
    assert pipeline("user") is None


def test_every_sidecar_uses_mtls_through_the_local_sentry() -> None:
    sentry = launcher.specs("full")["sentry"]
    for app in APP_NAMES:
        argv = launcher.daprd_argv("full", app)
        assert "--enable-mtls" in argv
        assert _flag(argv, "--sentry-address") == f"127.0.0.1:{load().sentry}"
        assert "sentry" in launcher.specs("full")[app].deps
    assert _flag(sentry.argv, "--listen-address") == "127.0.0.1"
    assert "--enable-metrics=false" in sentry.argv


def test_name_resolution_maps_each_app_to_its_own_sidecar() -> None:
    """The rendered address table sends each app id to its daprd's internal
    gRPC port, on loopback; nothing is left unrendered."""
    for config in ("config.yaml", "gateway-config.yaml"):
        doc = yaml.safe_load(launcher.render_dapr_config("full", config).read_text())
        assert "${" not in repr(doc), config
        spec = doc["spec"]["nameResolution"]
        table = dict(
            re.findall(
                r'eq \.ID "([^"]+)"\}\}([^{]+)', spec["configuration"]["template"]
            )
        )
        assert table == {
            app: f"127.0.0.1:{ports.internal}" for app, ports in load().apps.items()
        }, config


@pytest.mark.parametrize("app", ["gateway", "order"])
def test_sqlite_name_resolution_is_chosen_by_env(
    monkeypatch: pytest.MonkeyPatch, app: str
) -> None:
    """DAPRSHOP_NAME_RESOLUTION=sqlite: one shared registration file in the run
    folder (several instances per app id); otherwise the address template."""
    monkeypatch.setenv("DAPRSHOP_NAME_RESOLUTION", "sqlite")
    doc = yaml.safe_load(render_app_config("full", app).read_text())
    resolver = doc["spec"]["nameResolution"]
    assert resolver["component"] == "sqlite"
    db = resolver["configuration"]["connectionString"]
    assert db.startswith(str(run_dir("full"))) and db.endswith(".db")
    # Its cleanup pass deletes live registrations (daprd 1.18): never run it.
    assert resolver["configuration"]["cleanupInterval"] == "0s"
    # A renewal (every updateInterval - timeout) may run timeout - 1 s late
    # (whole-second timestamps) before lookups skip a live sidecar: 2 s slack.
    seconds = {
        k: int(v.rstrip("s"))
        for k, v in resolver["configuration"].items()
        if k in ("updateInterval", "timeout")
    }
    assert seconds["timeout"] - 1 >= 2
    assert seconds["updateInterval"] - seconds["timeout"] >= 2
    monkeypatch.delenv("DAPRSHOP_NAME_RESOLUTION")
    doc = yaml.safe_load(render_app_config("full", app).read_text())
    assert doc["spec"]["nameResolution"]["component"] == "kubernetes"


@pytest.mark.parametrize(("setting", "enabled"), [(None, True), ("false", False)])
def test_sidecar_metrics_follow_dapr_metrics(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, enabled: bool
) -> None:
    if setting is None:
        monkeypatch.delenv("DAPR_METRICS", raising=False)
    else:
        monkeypatch.setenv("DAPR_METRICS", setting)
    for config in ("config.yaml", "gateway-config.yaml"):
        doc = yaml.safe_load(launcher.render_dapr_config("full", config).read_text())
        assert doc["spec"]["metrics"]["enabled"] is enabled, config


def _grandchild(shell_name: str) -> tuple[subprocess.Popen[str], int]:
    """`sleep` under a shell whose command line ends with `shell_name`."""
    shell = subprocess.Popen(
        ["sh", "-c", "sleep 30 & echo $!; wait", shell_name],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert shell.stdout is not None
    return shell, int(shell.stdout.readline())


@pytest.mark.parametrize(("parent", "ours"), [("devmesh-run", True), ("other", False)])
def test_a_process_is_ours_by_its_own_or_its_parents_command_line(
    parent: str, ours: bool
) -> None:
    """redis-server rewrites its title, dropping every path: its parent (the
    `devmesh run` wrapper) is what marks it as ours."""
    shell, sleeper = _grandchild(parent)
    try:
        assert leftovers.is_ours(sleeper) is ours
    finally:
        os.kill(sleeper, signal.SIGTERM)
        shell.wait(timeout=5)


def test_zipkin_listens_on_loopback_and_every_sidecar_exports_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DAPR_TRACE_SAMPLING", raising=False)
    monkeypatch.delenv("DAPR_ZIPKIN_ENDPOINT", raising=False)
    zipkin = launcher.specs("lite")["zipkin"]
    port = load().zipkin
    assert "--armeria.ports[0].ip=127.0.0.1" in zipkin.argv
    assert f"--armeria.ports[0].port={port}" in zipkin.argv
    for app in APP_NAMES:
        path = _flag(launcher.daprd_argv("full", app), "--config")
        tracing = yaml.safe_load(Path(path).read_text())["spec"]["tracing"]
        assert tracing["samplingRate"] == "1"
        assert tracing["zipkin"]["endpointAddress"] == (
            f"http://127.0.0.1:{port}/api/v2/spans"
        )
        env = launcher.specs("full")[app].env
        assert env["ZIPKIN_URL"] == tracing["zipkin"]["endpointAddress"]
        assert env["TRACE_SAMPLING"] == "1"
        assert env["METRICS_PORT"] == str(load().apps[app].app_metrics)


def test_every_apps_readiness_is_its_own_and_every_app_links_its_views() -> None:
    gateway = launcher.specs("full")["gateway"]
    assert gateway.ready_url == f"http://127.0.0.1:{load().apps['gateway'].app}/readyz"
    order = launcher.specs("full")["order"]
    assert (
        order.ready_url == f"http://127.0.0.1:{load().apps['order'].app_metrics}/readyz"
    )
    for app in APP_NAMES:
        names = {name for _, name in launcher.specs("full")[app].links}
        assert {"Traces", "Metrics", "daprd metrics"} <= names


def test_app_health_checks_are_on_unless_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from devmesh.launcher.sidecar import app_health_args

    monkeypatch.setenv("DAPRSHOP_APP_HEALTH", "off")
    assert app_health_args("notification") == []
    monkeypatch.delenv("DAPRSHOP_APP_HEALTH")
    assert "--enable-app-health-check" in app_health_args("notification")
    assert "--app-health-check-path" not in app_health_args("notification")
    assert app_health_args("gateway")[-2:] == ["--app-health-check-path", "/healthz"]
