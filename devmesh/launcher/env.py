"""The environment apps and sidecars get: where the infrastructure is, tokens."""

from __future__ import annotations

import os

from devmesh import bootstrap, trust
from devmesh.launcher import prodlocal
from devmesh.launcher.dapr_config import trace_sampling, zipkin_endpoint
from devmesh.launcher.kafka import bootstrap_servers
from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import run_dir
from devmesh.ports import load


def shared_env(prof: str) -> dict[str, str]:
    """Environment every app and sidecar gets: where the infrastructure is.
    No secret: the API tokens are per app (`app_env`); on prod-local, the
    servers' and the gateway's credentials are in the secret store
    (prodlocal.client_env)."""
    p = load()
    run = run_dir(prof)
    env = {
        "PROFILE": prof,
        "ENVIRONMENT": os.environ.get("ENVIRONMENT", "dev"),
        "KAFKA_BROKERS": bootstrap_servers(),
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
        "PUBLIC_URL": f"http://{LOOPBACK}:{p.apps['gateway'].app}",
        # The storefront (a browser app on its own port) calls the gateway.
        "CORS_ORIGINS": f"http://{LOOPBACK}:{p.storefront},http://localhost:{p.storefront}",
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "PYTHONUNBUFFERED": "1",
        "DAPR_API_TIMEOUT_SECONDS": "5",
        # The apps' own spans go where their sidecars' go, sampled alike.
        "ZIPKIN_URL": zipkin_endpoint(),
        "TRACE_SAMPLING": trace_sampling(),
    }
    if prof == prodlocal.PROFILE:
        env.update(prodlocal.client_env(run))
    else:
        # The local provider checks no client secret; AuthSettings refuses
        # this one outside dev. prod-local's gateway reads its own from the
        # secret store, as it does SESSION_SECRET (dev's default here).
        env["OIDC_CLIENT_SECRET"] = "local-dev-only"
    return env


def app_env(prof: str, app: str) -> dict[str, str]:
    """What one app (and its sidecar, which inherits it) runs with, with the
    app's own pair of API tokens (made once per machine, see devmesh/trust.py)."""
    ports = load().apps[app]
    tokens = trust.api_tokens()[app]
    return {
        **shared_env(prof),
        "DAPR_API_TOKEN": tokens.dapr,
        "APP_API_TOKEN": tokens.app,
        "GRAPHIQL_ASSETS": str(bootstrap.graphiql_dir()),
        "APP_ID": app,
        "APP_PORT": str(ports.app),
        "HEALTH_PORT": str(ports.health),
        "METRICS_PORT": str(ports.app_metrics),
        "DAPR_HTTP_PORT": str(ports.http),
        "DAPR_GRPC_PORT": str(ports.grpc),
        "DAPR_HOST_IP": LOOPBACK,
        "DAPR_RUNTIME_HOST": LOOPBACK,
    }
