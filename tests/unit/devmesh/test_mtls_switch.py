import pytest
import yaml

from devmesh import launcher
from devmesh.launcher import mtls
from devmesh.launcher.dapr_config import render_app_config
from devmesh.ports import APP_NAMES


@pytest.fixture(autouse=True)
def _fresh_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mtls, "_warned", set())
    monkeypatch.delenv("ENVIRONMENT", raising=False)


@pytest.mark.parametrize("setting", [None, "true", "1", "on", "yes"])
def test_mtls_and_access_control_are_on_by_default(
    monkeypatch: pytest.MonkeyPatch, setting: str | None
) -> None:
    if setting is None:
        monkeypatch.delenv("DAPR_MTLS", raising=False)
    else:
        monkeypatch.setenv("DAPR_MTLS", setting)
    for app in APP_NAMES:
        argv = launcher.daprd_argv("full", app)
        assert "--enable-mtls" in argv and "--sentry-address" in argv
        doc = yaml.safe_load(render_app_config("full", app).read_text())
        assert doc["spec"]["accessControl"]["defaultAction"] == "deny"


@pytest.mark.parametrize("setting", ["false", "FALSE", "0", "no", "off"])
def test_false_turns_mtls_off_and_drops_access_control(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("DAPR_MTLS", setting)
    for app in APP_NAMES:
        argv = launcher.daprd_argv("full", app)
        assert "--enable-mtls" not in argv and "--sentry-address" not in argv
        doc = yaml.safe_load(render_app_config("full", app).read_text())
        assert "accessControl" not in doc["spec"]
        # The rest of the Configuration is untouched.
        assert doc["spec"]["api"]["allowed"]
        assert doc["spec"]["secrets"]["scopes"]


def test_turning_mtls_off_warns_loudly_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DAPR_MTLS", "false")
    launcher.daprd_argv("lite", "user")
    launcher.daprd_argv("lite", "order")
    err = capsys.readouterr().err
    assert err.count("WARNING: DAPR_MTLS=false") == 1
    assert "WITHOUT accessControl" in err


def test_no_warning_with_mtls_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DAPR_MTLS", raising=False)
    launcher.daprd_argv("full", "user")
    assert "WARNING" not in capsys.readouterr().err


@pytest.mark.parametrize("prof", ["prod", "prod-local"])
def test_prod_profiles_refuse_mtls_off(
    monkeypatch: pytest.MonkeyPatch, prof: str
) -> None:
    monkeypatch.setenv("DAPR_MTLS", "false")
    with pytest.raises(SystemExit, match="refused"):
        mtls.mtls_enabled(prof)


def test_prod_environment_refuses_mtls_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAPR_MTLS", "false")
    monkeypatch.setenv("ENVIRONMENT", "prod")
    with pytest.raises(SystemExit, match="refused"):
        launcher.daprd_argv("full", "product")


def test_prod_profiles_keep_mtls_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAPR_MTLS", raising=False)
    assert mtls.mtls_enabled("prod-local")
