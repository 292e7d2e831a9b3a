"""The environment apps and sidecars get: where the infrastructure is, tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from devmesh import bootstrap
from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import run_dir
from devmesh.ports import load


def _tokens(run: Path) -> tuple[str, str]:
    """Per-run API tokens: app->sidecar (DAPR_API_TOKEN), sidecar->app."""
    path = run / "tokens"
    if not path.exists():
        path.write_text(f"{secrets.token_urlsafe(24)}\n{secrets.token_urlsafe(24)}\n")
        path.chmod(0o600)
    dapr_token, app_token = path.read_text().split()
    return dapr_token, app_token


def shared_env(prof: str) -> dict[str, str]:
    """Environment every app and sidecar gets: where the infrastructure is."""
    p = load()
    run = run_dir(prof)
    dapr_token, app_token = _tokens(run)
    return {
        "PROFILE": prof,
        "ENVIRONMENT": os.environ.get("ENVIRONMENT", "dev"),
        "DAPR_API_TOKEN": dapr_token,
        "APP_API_TOKEN": app_token,
        "KAFKA_BROKERS": f"{LOOPBACK}:{p.kafka}",
        "REDIS_HOST": f"{LOOPBACK}:{p.redis}",
        "REDIS_URL": f"redis://{LOOPBACK}:{p.redis}/0",
        "MYSQL_URL": f"mysql://root@{LOOPBACK}:{p.mariadb}/?ssl=disabled",
        "MONGODB_URL": f"mongodb://{LOOPBACK}:{p.ferretdb}/",
        "SMTP_HOST": LOOPBACK,
        "SMTP_PORT": str(p.mailpit_smtp),
        "SMS_OUTBOX_DIR": str(run / "sms"),
        "OIDC_ISSUER": f"http://{LOOPBACK}:{p.oidc}/shop",
        "OIDC_AUDIENCE": "daprshop-api",
        "OIDC_CLIENT_ID": "daprshop-web",
        "OIDC_CLIENT_SECRET": "local-dev-only",
        "PUBLIC_URL": f"http://{LOOPBACK}:{p.apps['gateway'].app}",
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "PYTHONUNBUFFERED": "1",
        "DAPR_API_TIMEOUT_SECONDS": "5",
    }


def app_env(prof: str, app: str) -> dict[str, str]:
    """What one app (and its sidecar, which inherits it) runs with."""
    ports = load().apps[app]
    return {
        **shared_env(prof),
        "GRAPHIQL_ASSETS": str(bootstrap.graphiql_dir()),
        "APP_ID": app,
        "APP_PORT": str(ports.app),
        "HEALTH_PORT": str(ports.health),
        "DAPR_HTTP_PORT": str(ports.http),
        "DAPR_GRPC_PORT": str(ports.grpc),
        "DAPR_HOST_IP": LOOPBACK,
        "DAPR_RUNTIME_HOST": LOOPBACK,
    }
