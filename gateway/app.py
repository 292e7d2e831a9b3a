"""Composition root of the gateway: the FastAPI app and its lifespan.

Per process: one httpx.AsyncClient (OIDC, sidecar health) made here, and the
services the lifespan opens and closes (gateway.backends: the sidecar channel
and Redis; fakes in unit tests). The auth settings are built here, with the
OIDC client secret and session secret read from the secret store first where
the environment names them (gateway.auth_secrets). Routes:

- `/auth/*`      OIDC login (gateway.auth), behind the stricter `auth` rate limit
- `/graphql`     GraphQL over HTTP and graphql-transport-ws (gateway.graphql.mount)
- `/healthz`     the process is alive; `/readyz` Redis and the sidecar answer
- `/dapr/subscribe`, `/events/pubsub/*`   Dapr subscriptions (gateway.subscriptions)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from dapr.ext.fastapi import DaprApp
from fastapi import Depends, FastAPI

from common import gcpolicy
from gateway import health
from gateway.admission import auth_rate_limit
from gateway.auth import (
    AUTH_PREFIX,
    AuthSettings,
    build_auth_router,
    build_auth_services,
)
from gateway.auth_secrets import load_auth_settings
from gateway.backends import ServicesFactory, grpc_and_redis_services
from gateway.config import GatewaySettings
from gateway.graphql.mount import mount_graphql
from gateway.http_errors import add_error_handlers
from gateway.middleware import RequestContextMiddleware, add_cors
from gateway.services import GatewayServices
from gateway.subscriptions import EventHandlers, register

log = logging.getLogger(__name__)


def create_app(
    settings: GatewaySettings | None = None,
    auth_settings: AuthSettings | None = None,
    *,
    http: httpx.AsyncClient | None = None,
    services_factory: ServicesFactory = grpc_and_redis_services,
) -> FastAPI:
    settings = settings or GatewaySettings()
    # Where the store holds the OIDC client secret and session secret
    # (prod-local, prod), they are read through the sidecar here, first.
    auth_settings = auth_settings or load_auth_settings(settings)
    http = http or httpx.AsyncClient(
        timeout=httpx.Timeout(5.0),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
    )
    auth = build_auth_services(http, auth_settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with services_factory(settings, http, auth.verifier) as services:
                app.state.services = services
                gcpolicy.freeze_startup_heap()
                log.info(
                    "gateway ready on %s:%s", settings.bind_host, settings.app_port
                )
                yield
        finally:
            await http.aclose()

    app = FastAPI(
        title="daprshop gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.token_verifier = auth.verifier
    add_error_handlers(app)
    # First: routes are matched in order, and /graphql is the one most asked.
    mount_graphql(app, settings)
    app.include_router(
        build_auth_router(auth.verifier, auth.oidc, auth_settings),
        prefix=AUTH_PREFIX,
        dependencies=[Depends(auth_rate_limit)],
    )
    app.include_router(health.router)
    register(
        DaprApp(app, router_tags=["dapr"]),
        EventHandlers(
            catalog=lambda: services_of_app(app).catalog,
            fanout=lambda: services_of_app(app).fanout,
        ),
        settings.app_token(),
        settings.pubsub_name,
    )
    add_cors(app, settings.cors_origins)
    app.add_middleware(RequestContextMiddleware)
    return app


def services_of_app(app: FastAPI) -> GatewayServices:
    services: GatewayServices = app.state.services
    return services
