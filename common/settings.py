"""Settings every service reads from its environment (set by the launcher)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common import components


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    app_id: str
    app_port: int
    # Unused since Dapr's app health check replaced our HTTP health server;
    # the launcher still sets HEALTH_PORT from devmesh/ports.yaml.
    health_port: int = 0
    dapr_grpc_port: int = 50001
    dapr_http_port: int = 3500
    dapr_host: str = "127.0.0.1"
    # DAPR_API_TOKEN authenticates us to our sidecar; APP_API_TOKEN is what the
    # sidecar presents to us (checked by common.app_token).
    dapr_api_token: SecretStr | None = None
    app_api_token: SecretStr | None = None
    environment: Literal["dev", "test", "prod"] = "dev"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    pubsub_name: str = "pubsub"
    # The Dapr secret store the app reads its own secrets from (SMTP, database
    # passwords: common/app_secrets.py).
    secret_store: str = components.SECRETS
    idempotency_store: str = "idempotency"
    # Timeout of every call to the sidecar or another service, in seconds.
    call_timeout: float = 5.0
    # Where this app's spans go (Zipkin v2 JSON; empty: nowhere), and the
    # share of new traces recorded (a continued trace keeps its caller's say).
    zipkin_url: str = ""
    trace_sampling: float = Field(default=1.0, ge=0.0, le=1.0)
    # The app's Prometheus endpoint on 127.0.0.1 (0: none).
    metrics_port: int = 0

    @model_validator(mode="after")
    def _tokens_required_outside_dev(self) -> ServiceSettings:
        if self.environment == "prod" and not (
            self.dapr_api_token and self.app_api_token
        ):
            raise ValueError("DAPR_API_TOKEN and APP_API_TOKEN are required in prod")
        return self

    @property
    def sidecar_grpc_address(self) -> str:
        return f"{self.dapr_host}:{self.dapr_grpc_port}"


class OutboxSettings(BaseSettings):
    """For a service with a transactional outbox (common/outbox.py)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    # Delivered events are kept this long (seconds), then purged.
    outbox_retention_seconds: float = 86400.0
    # Seconds between upkeep passes (purge, lag in the log); 0: none.
    outbox_upkeep_interval: float = 60.0
    # A relay's claim on a batch lapses after this, should the relay die.
    outbox_claim_seconds: int = 30


class MySQLSettings(BaseSettings):
    """For a service on MySQL (through common.mysql, not a Dapr component).

    With MYSQL_PASSWORD_SECRET set (prod-local, prod), MYSQL_URL names the
    user but carries no password: the password is key MYSQL_PASSWORD_KEY of
    that secret, read through the sidecar at start (common/app_secrets.py).
    Empty (full, lite): MYSQL_URL is used as it is."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    mysql_url: str = "mysql://root@127.0.0.1:13306/"
    mysql_password_secret: str = ""
    mysql_password_key: str = "password"
