"""What a request runs on: the process-wide `GatewayServices`, built once by
the lifespan (gateway.backends in production, fakes in unit tests)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from gateway import clients
from gateway.auth import TokenVerifier
from gateway.cache import ProductCatalog
from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusFanout
from gateway.graphql.persisted import PersistedQueries
from gateway.ratelimit import RateLimiter, Rule


class SubjectIds:
    """subject -> user id, remembered in-process for a while (the mapping does
    not change; the TTL only bounds how long a wiped user database goes unseen)."""

    def __init__(
        self,
        capacity: int = 10_000,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ids: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._clock = clock

    def get(self, subject: str) -> str | None:
        entry = self._ids.get(subject)
        if entry is None:
            return None
        user_id, expires = entry
        if expires <= self._clock():
            del self._ids[subject]
            return None
        self._ids.move_to_end(subject)
        return user_id

    def put(self, subject: str, user_id: str) -> None:
        self._ids[subject] = (user_id, self._clock() + self._ttl)
        self._ids.move_to_end(subject)
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


@dataclass
class RateRules:
    graphql_queries: Rule
    graphql_mutations: Rule
    auth: Rule

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> RateRules:
        def graphql(fail_open: bool) -> Rule:
            # One bucket for queries and mutations; only the failure mode differs.
            return Rule(
                "graphql",
                settings.rate_limit_graphql_per_minute,
                settings.rate_limit_graphql_burst,
                fail_open,
            )

        return cls(
            graphql_queries=graphql(fail_open=True),
            graphql_mutations=graphql(fail_open=False),
            auth=Rule(
                "auth",
                settings.rate_limit_auth_per_minute,
                settings.rate_limit_auth_burst,
                fail_open=False,
            ),
        )


@dataclass
class GatewayServices:
    """Everything a request may use; built once per process by the lifespan."""

    settings: GatewaySettings
    users: clients.UserClient
    products: clients.ProductClient
    orders: clients.OrderClient
    carts: clients.CartClient
    catalog: ProductCatalog
    fanout: OrderStatusFanout
    verifier: TokenVerifier
    limiter: RateLimiter | None
    rules: RateRules
    subject_ids: SubjectIds = field(default_factory=SubjectIds)
    # APQ documents (gateway.graphql.persisted); in-process only by default
    persisted: PersistedQueries = field(default_factory=PersistedQueries)
    # name -> async check, for /readyz
    readiness: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)


def services_of(connection: HTTPConnection) -> GatewayServices:
    services = getattr(connection.app.state, "services", None)
    if not isinstance(services, GatewayServices):
        raise RuntimeError("app.state.services is not set (see gateway.app)")
    return services
