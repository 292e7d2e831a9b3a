"""Typed settings of the gateway, read from the environment the launcher sets.

The OIDC settings live in `gateway.auth.AuthSettings`; everything else the
gateway reads is here, each field under its upper-cased name (`REDIS_URL`,
`TRUSTED_PROXIES`, `RATE_LIMIT_GRAPHQL_PER_MINUTE`, ...).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from common import components
from common.settings import ServiceSettings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class GatewaySettings(ServiceSettings):
    app_id: str = "gateway"
    # The component profile the launcher runs (PROFILE): full, lite and
    # prod-local are local meshes, prod is the deployed one. With ENVIRONMENT
    # it decides `is_prod`, which hides the schema (introspection, suggestions,
    # GraphiQL).
    profile: Literal["full", "lite", "prod-local", "prod"] = "full"
    app_port: int = 18000
    # The address uvicorn listens on: loopback locally (the sidecar is on the
    # same machine); 0.0.0.0 in a Kubernetes Pod, behind the gateway's Service.
    bind_host: str = "127.0.0.1"
    # Health is served on APP_PORT (/healthz, /readyz); kept for the shared base.
    health_port: int = 0
    # The app ids the services are reached by (through our sidecar).
    user_app_id: str = "user"
    product_app_id: str = "product"
    order_app_id: str = "order"
    cart_app_id: str = "cart"
    redis_url: str = "redis://127.0.0.1:16379/0"
    # With REDIS_PASSWORD_SECRET set (prod-local, prod), REDIS_URL carries no
    # password: it is key REDIS_PASSWORD_KEY of that secret, read through our
    # sidecar at start (common/app_secrets.py). Empty (full, lite): none.
    redis_password_secret: str = ""
    redis_password_key: str = "password"
    # With these set (prod-local, prod), the OIDC client secret and the login
    # cookie's signing secret are the named secrets of the store (each keyed
    # by its own name), read through our sidecar at start before the auth
    # settings are checked (gateway/auth_secrets.py), and OIDC_CLIENT_SECRET /
    # SESSION_SECRET are not used. Empty (full, lite): those two are.
    oidc_client_secret_secret: str = ""
    session_secret_secret: str = ""
    cache_store: str = components.CACHE
    # Seconds a socket operation on Redis may take before the call fails
    # (rate limiting then fails open or closed, see gateway.ratelimit).
    redis_timeout: float = Field(default=0.5, gt=0)

    # Product cache (Dapr state store `cache`).
    cache_ttl_seconds: int = Field(default=60, ge=1)
    # How long one process may hold the refill lock of a key that expired.
    cache_lock_seconds: int = Field(default=5, ge=1)
    # Near cache (decoded entries in this process, kept coherent through
    # `catalog_channel`); the TTL is only a backstop. 0 turns it off.
    cache_near_ttl_seconds: float = Field(default=5.0, ge=0)
    cache_near_max_entries: int = Field(default=1024, ge=1)

    # Rate limits (GCRA in Redis, shared by every gateway process). A bucket
    # refills at `per_minute` and holds at most `burst` units; a query costs
    # `query_cost`, a mutation `mutation_cost`.
    rate_limit_graphql_per_minute: int = Field(default=600, ge=1)
    rate_limit_graphql_burst: int = Field(default=60, ge=1)
    rate_limit_auth_per_minute: int = Field(default=20, ge=1)
    rate_limit_auth_burst: int = Field(default=10, ge=1)
    rate_limit_query_cost: int = Field(default=1, ge=1)
    rate_limit_mutation_cost: int = Field(default=5, ge=1)
    # Direct peers whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated).
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()
    # Browser origins allowed to call the API (comma-separated); none by default.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()

    # GraphQL hardening.
    graphql_max_depth: int = Field(default=10, ge=1)
    graphql_max_aliases: int = Field(default=15, ge=0)
    graphql_max_tokens: int = Field(default=2000, ge=10)
    graphql_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    graphql_default_page_size: int = Field(default=20, ge=1)
    graphql_max_page_size: int = Field(default=100, ge=1)
    # Automatic persisted queries: documents per process (LRU) and how long the
    # `cache` state store keeps one after it was registered.
    graphql_persisted_max_entries: int = Field(default=1000, ge=1)
    graphql_persisted_ttl_seconds: int = Field(default=86_400, ge=1)
    # Local copy of GraphiQL's browser files (made by the bootstrap); without
    # it the page loads them from unpkg.
    graphiql_assets: Path | None = None

    # Redis pub/sub channel on which order-status-changed is fanned out to every
    # gateway process (each has its own websocket subscribers).
    order_status_channel: str = "gateway:order-status-changed"
    # Redis pub/sub channel on which a product invalidation reaches every
    # gateway process's near cache.
    catalog_channel: str = "gateway:catalog-invalidated"

    # Seconds uvicorn gives open connections to finish on SIGTERM.
    shutdown_grace_seconds: float = Field(default=10.0, gt=0)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(ipaddress.ip_network(str(v), strict=False) for v in value)
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def is_prod(self) -> bool:
        """Either ENVIRONMENT or PROFILE says prod (one is enough: fail closed)."""
        return self.environment == "prod" or self.profile == "prod"

    @property
    def sidecar_http_url(self) -> str:
        return f"http://{self.dapr_host}:{self.dapr_http_port}"

    def dapr_token(self) -> str | None:
        return self.dapr_api_token.get_secret_value() if self.dapr_api_token else None

    def app_token(self) -> str | None:
        return self.app_api_token.get_secret_value() if self.app_api_token else None
