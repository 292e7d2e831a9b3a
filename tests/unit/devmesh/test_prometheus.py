from pathlib import Path
from typing import Any

import pytest
import yaml

from devmesh import launcher, metrics
from devmesh.launcher.spec import PROFILES
from devmesh.ports import APP_NAMES, load


def _flag(argv: list[str], name: str) -> str:
    (value,) = [a.split("=", 1)[1] for a in argv if a.startswith(f"{name}=")]
    return value


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAPRSHOP_RUN_DIR", str(tmp_path))
    return tmp_path


def _targets(config: dict[str, Any], job: str) -> dict[str, str]:
    """app label -> target of one scrape job."""
    (scrape,) = [s for s in config["scrape_configs"] if s["job_name"] == job]
    return {
        group["labels"]["app"]: target
        for group in scrape["static_configs"]
        for target in group["targets"]
    }


def test_prometheus_runs_in_every_profile_on_loopback_with_its_data_in_the_run_folder(
    run: Path,
) -> None:
    for prof in PROFILES:
        spec = launcher.specs(prof)["prometheus"]
        port = load().prometheus
        assert _flag(spec.argv, "--web.listen-address") == f"127.0.0.1:{port}"
        assert _flag(spec.argv, "--storage.tsdb.path") == str(run / "prometheus")
        assert _flag(spec.argv, "--config.file") == str(run / "prometheus.yml")
        assert spec.ready_url == f"http://127.0.0.1:{port}/-/ready"
        assert (f"http://127.0.0.1:{port}/query", "Metrics (Prometheus)") in spec.links


def test_the_rendered_scrape_config_names_every_app_and_every_sidecar(
    run: Path,
) -> None:
    spec = launcher.specs("full")["prometheus"]
    assert spec.prepare is not None
    spec.prepare()
    config = yaml.safe_load((run / "prometheus.yml").read_text())
    assert (run / "prometheus").is_dir()
    apps = load().apps
    assert _targets(config, "apps") == {
        app: f"127.0.0.1:{apps[app].app_metrics}" for app in APP_NAMES
    }
    assert _targets(config, "daprd") == {
        app: f"127.0.0.1:{apps[app].metrics}" for app in APP_NAMES
    }


def test_make_metrics_points_at_prometheus() -> None:
    last = metrics.summary(apps=()).splitlines()[-1]
    assert last.endswith(f"http://127.0.0.1:{load().prometheus}/query")
