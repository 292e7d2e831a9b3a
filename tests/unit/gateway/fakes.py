"""In-memory stand-ins for what the gateway talks to: the four services (the
cart's in cart_fakes.py), the Dapr state store, the token verifier, the Redis
fan-out. They behave like the real ones where the gateway depends on it
(ownership -> NOT_FOUND, unknown ids absent from batch reads, first-write
inserts, ...) and count their calls."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from common.caller import ORDERS_WRITE, PRODUCTS_WRITE, Actor
from gateway import clients
from gateway.app import create_app
from gateway.auth import AuthSettings
from gateway.auth.tokens import InvalidToken
from gateway.cache import NearCache, ProductCatalog, ReadThroughCache, StateStoreError
from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusFanout
from gateway.graphql.context import GatewayServices, RateRules
from gateway.ratelimit import RateLimiter
from tests.unit.gateway.cart_fakes import FakeCarts
from tests.unit.gateway.fake_identity import (
    acting_user,
    require_owner,
    require_permission,
)

ISSUER = "https://idp.test/shop"


def claims(subject: str, *permissions: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": subject,
        "iss": ISSUER,
        "aud": "daprshop-api",
        "iat": now,
        "exp": now + 300,
        "email": f"{subject}@shop.test",
        "name": subject.title(),
        "permissions": list(permissions),
        **extra,
    }


class FakeVerifier:
    """Accepts exactly the tokens it was given (token -> claims)."""

    def __init__(self, tokens: dict[str, dict[str, Any]] | None = None) -> None:
        self.tokens = tokens or {}

    async def verify_access_token(self, token: str) -> dict[str, Any]:
        if token not in self.tokens:
            raise InvalidToken("signature verification failed")
        return self.tokens[token]


class FakeUsers:
    def __init__(self) -> None:
        self.by_id: dict[str, clients.User] = {}
        self.calls: Counter[str] = Counter()
        self.fail: Exception | None = None
        self._ids = itertools.count(1)

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.fail is not None:
            raise self.fail

    async def get_or_create(
        self, subject: str, email: str, name: str, *, actor: Actor
    ) -> clients.User:
        self._check("get_or_create")
        if subject != actor.subject:
            raise clients.PermissionDenied("not the token's subject", caller="gateway")
        for user in self.by_id.values():
            if user.subject == subject:
                return user
        user = clients.User(f"u{next(self._ids)}", subject, email, name or subject, "")
        self.by_id[user.id] = user
        return user

    async def get(self, user_id: str, *, actor: Actor) -> clients.User:
        self._check("get")
        require_owner(actor, user_id)
        if user_id not in self.by_id:
            raise clients.NotFound(user_id)
        return self.by_id[user_id]

    async def batch_get(
        self, ids: Sequence[str], *, actor: Actor
    ) -> list[clients.User]:
        self._check("batch_get")
        if not actor.has(ORDERS_WRITE):
            ids = [i for i in ids if i == acting_user(actor)]
        return [self.by_id[i] for i in ids if i in self.by_id]

    async def update(
        self, user_id: str, changes: clients.UserChanges, *, actor: Actor
    ) -> clients.User:
        self._check("update")
        require_owner(actor, user_id)
        user = self.by_id.get(user_id)
        if user is None:
            raise clients.NotFound(user_id)
        if changes.phone and not changes.phone.startswith("+"):
            raise clients.InvalidArgument(
                [clients.FieldProblem("phone", "must be in E.164 format")]
            )
        user = replace(
            user,
            name=changes.name if changes.name is not None else user.name,
            phone=changes.phone if changes.phone is not None else user.phone,
        )
        self.by_id[user_id] = user
        return user


class FakeProducts:
    def __init__(self) -> None:
        self.by_id: dict[str, clients.Product] = {}
        self.calls: Counter[str] = Counter()
        self.batches: list[list[str]] = []
        self.fail: Exception | None = None
        self.delay = 0.0
        self._ids = itertools.count(1)

    async def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail

    def add(self, name: str, amount: int = 1000, stock: int = 10, **kw: Any) -> str:
        product_id = f"p{next(self._ids)}"
        self.by_id[product_id] = clients.Product(
            product_id,
            name,
            kw.get("description", ""),
            kw.get("category", "misc"),
            clients.Money(amount, "USD"),
            stock,
        )
        return product_id

    async def get(self, product_id: str) -> clients.Product:
        await self._check("get")
        if product_id not in self.by_id:
            raise clients.NotFound(product_id)
        return self.by_id[product_id]

    async def batch_get(self, ids: Sequence[str]) -> list[clients.Product]:
        await self._check("batch_get")
        self.batches.append(list(ids))
        return [self.by_id[i] for i in ids if i in self.by_id]

    async def list(
        self, flt: clients.ProductFilter, page_size: int, page_token: str
    ) -> clients.Page[clients.Product]:
        await self._check("list")
        items = [
            p
            for p in reversed(list(self.by_id.values()))
            if (not flt.category or p.category == flt.category)
            and (flt.min_price is None or p.price.amount >= flt.min_price)
            and (flt.max_price is None or p.price.amount <= flt.max_price)
            and (not flt.search or flt.search.lower() in p.name.lower())
        ]
        if page_token and not page_token.isdigit():
            raise clients.InvalidArgument(
                [
                    clients.FieldProblem(
                        "pageToken", "is not a cursor this service issued"
                    )
                ]
            )
        start = int(page_token or 0)
        size = min(page_size or 20, 100)
        page = items[start : start + size]
        more = start + size < len(items)
        return clients.Page(page, str(start + size) if more else "")

    async def create(
        self, draft: clients.ProductDraft, *, actor: Actor
    ) -> clients.Product:
        await self._check("create")
        require_permission(actor, PRODUCTS_WRITE)
        if not draft.name.strip():
            raise clients.InvalidArgument(
                [clients.FieldProblem("name", "must not be empty")]
            )
        product_id = f"p{next(self._ids)}"
        product = clients.Product(
            product_id,
            draft.name,
            draft.description,
            draft.category,
            draft.price,
            draft.stock,
        )
        self.by_id[product_id] = product
        return product

    async def update(
        self, product_id: str, changes: clients.ProductChanges, *, actor: Actor
    ) -> clients.Product:
        await self._check("update")
        require_permission(actor, PRODUCTS_WRITE)
        product = self.by_id.get(product_id)
        if product is None:
            raise clients.NotFound(product_id)
        product = replace(
            product,
            name=changes.name if changes.name is not None else product.name,
            price=changes.price if changes.price is not None else product.price,
            stock=changes.stock if changes.stock is not None else product.stock,
        )
        self.by_id[product_id] = product
        return product


_NEXT = {
    clients.OrderStatus.PENDING: {
        clients.OrderStatus.CONFIRMED,
        clients.OrderStatus.CANCELLED,
    },
    clients.OrderStatus.CONFIRMED: {
        clients.OrderStatus.SHIPPED,
        clients.OrderStatus.CANCELLED,
    },
    clients.OrderStatus.SHIPPED: {clients.OrderStatus.DELIVERED},
}


class FakeOrders:
    def __init__(self, products: FakeProducts) -> None:
        self.products = products
        self.by_id: dict[str, clients.Order] = {}
        self.keys: dict[tuple[str, str], str] = {}
        self.calls: Counter[str] = Counter()
        self.fail: Exception | None = None
        self._ids = itertools.count(1)
        self._clock = datetime(2026, 1, 1, tzinfo=UTC)

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.fail is not None:
            raise self.fail

    async def place(
        self,
        user_id: str,
        lines: Sequence[clients.LineRequest],
        idempotency_key: str,
        *,
        actor: Actor,
    ) -> clients.Order:
        self._check("place")
        require_owner(actor, user_id)
        if not idempotency_key:
            raise clients.InvalidArgument(
                [clients.FieldProblem("idempotencyKey", "is required")]
            )
        if (user_id, idempotency_key) in self.keys:
            return self.by_id[self.keys[(user_id, idempotency_key)]]
        order_lines = []
        for index, line in enumerate(lines):
            product = self.products.by_id.get(line.product_id)
            if product is None:
                raise clients.InvalidArgument(
                    [clients.FieldProblem(f"items[{index}].productId", "not found")]
                )
            if product.stock < line.quantity:
                raise clients.OutOfStock(line.product_id, line.quantity, product.stock)
            order_lines.append(
                clients.OrderLine(
                    product.id, product.name, line.quantity, product.price
                )
            )
        for line in order_lines:
            product = self.products.by_id[line.product_id]
            self.products.by_id[line.product_id] = replace(
                product, stock=product.stock - line.quantity
            )
        self._clock += timedelta(seconds=1)
        order = clients.Order(
            id=f"o{next(self._ids)}",
            user_id=user_id,
            status=clients.OrderStatus.PENDING,
            lines=tuple(order_lines),
            total=clients.Money(
                sum(line.unit_price.amount * line.quantity for line in order_lines),
                "USD",
            ),
            created_at=self._clock,
            updated_at=self._clock,
        )
        self.by_id[order.id] = order
        self.keys[(user_id, idempotency_key)] = order.id
        return order

    async def get(self, order_id: str, owner_id: str, *, actor: Actor) -> clients.Order:
        self._check("get")
        if not actor.has(ORDERS_WRITE):
            require_owner(actor, owner_id)
        order = self.by_id.get(order_id)
        if order is None or (owner_id and order.user_id != owner_id):
            raise clients.NotFound(order_id)
        return order

    async def list_for_user(
        self, user_id: str, page_size: int, page_token: str, *, actor: Actor
    ) -> clients.Page[clients.Order]:
        self._check("list_for_user")
        require_owner(actor, user_id)
        mine = [o for o in reversed(list(self.by_id.values())) if o.user_id == user_id]
        start = int(page_token or 0)
        size = min(page_size or 20, 100)
        more = start + size < len(mine)
        return clients.Page(
            mine[start : start + size], str(start + size) if more else ""
        )

    async def update_status(
        self, order_id: str, status: clients.OrderStatus, *, actor: Actor
    ) -> clients.Order:
        self._check("update_status")
        require_permission(actor, ORDERS_WRITE)
        return self._move(order_id, status, "")

    def _move(
        self, order_id: str, status: clients.OrderStatus, owner_id: str
    ) -> clients.Order:
        order = self.by_id.get(order_id)
        if order is None or (owner_id and order.user_id != owner_id):
            raise clients.NotFound(order_id)
        if status == order.status:
            return order
        if status not in _NEXT.get(order.status, set()):
            current = order.status.name
            raise clients.FailedPrecondition(
                f"order {order_id}: cannot go from {current} to {status.name}",
                current_status=current,
                requested_status=status.name,
            )
        if status == clients.OrderStatus.CANCELLED:
            for line in order.lines:
                product = self.products.by_id[line.product_id]
                self.products.by_id[line.product_id] = replace(
                    product, stock=product.stock + line.quantity
                )
        order = replace(order, status=status)
        self.by_id[order_id] = order
        return order

    async def cancel(
        self, order_id: str, owner_id: str, *, actor: Actor
    ) -> clients.Order:
        self._check("cancel")
        require_owner(actor, owner_id)
        return self._move(order_id, clients.OrderStatus.CANCELLED, owner_id)


class CountingLoader:
    """A loader that counts its calls (and can be made to fail)."""

    def __init__(self, value: str = "v", delay: float = 0.05) -> None:
        self.calls = 0
        self.value = value
        self.delay = delay
        self.fail: Exception | None = None

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return self.value


class FakeStateStore:
    """A Dapr `state.redis` store: TTLs on a hand-driven clock, first-write
    inserts, and Redis's rule that a key inserted first-write refuses later
    writes without an ETag while it lives."""

    def __init__(self) -> None:
        self.now = 0.0
        self.data: dict[str, tuple[str, float | None]] = {}
        self.first_written: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.down = False

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.down:
            raise StateStoreError("sidecar unreachable")

    def _live(self, key: str) -> str | None:
        entry = self.data.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= self.now:
            self._drop(key)
            return None
        return value

    def _drop(self, key: str) -> None:
        self.data.pop(key, None)
        self.first_written.discard(key)

    async def get(self, key: str) -> str | None:
        self._check("get")
        return self._live(key)

    async def get_many(self, keys: list[str]) -> dict[str, str | None]:
        self._check("get_many")
        return {key: self._live(key) for key in keys}

    async def save(self, key: str, value: str, ttl_seconds: int | None) -> None:
        self._check("save")
        if self._live(key) is not None and key in self.first_written:
            raise StateStoreError(f"SAVE {key}: failed to set key gateway||{key}")
        self.data[key] = (value, self.now + ttl_seconds if ttl_seconds else None)

    async def insert(self, key: str, value: str, ttl_seconds: int | None) -> bool:
        self._check("insert")
        if self._live(key) is not None:
            return False
        self.data[key] = (value, self.now + ttl_seconds if ttl_seconds else None)
        self.first_written.add(key)
        return True

    async def delete(self, key: str) -> None:
        self._check("delete")
        self._drop(key)

    def expire_all(self) -> None:
        for key in [k for k, v in self.data.items() if v[1] is not None]:
            self._drop(key)


class LocalFanout(OrderStatusFanout):
    """The fan-out with Redis replaced by an in-memory bus shared by "processes"."""

    def __init__(self, bus: list[LocalFanout] | None = None) -> None:
        super().__init__(redis=None, channel="test")  # type: ignore[arg-type]
        self.bus = bus if bus is not None else []
        self.bus.append(self)

    @property
    def listening(self) -> bool:
        return True

    async def publish(self, event: Any) -> None:
        for fanout in self.bus:
            fanout.dispatch(event.to_json())

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class World:
    """One set of fakes, and the services a gateway process builds on them."""

    def __init__(self, settings: GatewaySettings | None = None) -> None:
        self.settings = settings or GatewaySettings(environment="test")
        self.users = FakeUsers()
        self.products = FakeProducts()
        self.orders = FakeOrders(self.products)
        self.carts = FakeCarts(self.products)
        self.store = FakeStateStore()
        self.verifier = FakeVerifier()
        self.bus: list[LocalFanout] = []
        # Every "process"'s catalog, for the near-cache invalidation broadcast.
        self.catalogs: list[ProductCatalog] = []

    async def broadcast(self, product_id: str) -> None:
        for catalog in self.catalogs:
            catalog.forget_near(product_id)

    def token(self, subject: str, *permissions: str) -> str:
        token = f"token-{subject}-{'-'.join(permissions)}"
        self.verifier.tokens[token] = claims(subject, *permissions)
        return token

    def services(
        self,
        limiter: RateLimiter | None = None,
        settings: GatewaySettings | None = None,
    ) -> GatewayServices:
        settings = settings or self.settings
        cache = ReadThroughCache(self.store, ttl_seconds=60, lock_seconds=1)
        near = NearCache(ttl_seconds=settings.cache_near_ttl_seconds)
        near.connected()
        catalog = ProductCatalog(cache, near, self.broadcast)
        self.catalogs.append(catalog)
        return GatewayServices(
            settings=settings,
            users=self.users,
            products=self.products,
            orders=self.orders,
            carts=self.carts,
            catalog=catalog,
            fanout=LocalFanout(self.bus),
            verifier=self.verifier,
            limiter=limiter,
            rules=RateRules.from_settings(settings),
        )


def fixed_services(
    services: GatewayServices,
) -> Callable[..., Any]:
    @asynccontextmanager
    async def factory(*_: Any) -> AsyncIterator[GatewayServices]:
        yield services

    return factory


def offline_http() -> httpx.AsyncClient:
    """For gateway.auth: nothing is fetched unless /auth routes are called."""
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503))
    )


def auth_settings() -> AuthSettings:
    return AuthSettings(
        environment="test",
        oidc_issuer=ISSUER,
        oidc_client_secret="test-secret-not-default",  # type: ignore[arg-type]
    )


def app_client(services: GatewayServices) -> TestClient:
    app = create_app(
        services.settings,
        auth_settings(),
        http=offline_http(),
        services_factory=fixed_services(services),
    )
    return TestClient(app, raise_server_exceptions=False)


class GraphQL:
    """POST /graphql with an optional bearer token; returns the parsed body,
    less the trace id every answer carries (`extensions.traceId`, checked here
    once for all)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        expect: int = 200,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        extensions = body.pop("extensions", None)
        if "data" in body:  # executed (refusals before GraphQL have no trace id)
            assert extensions is not None and len(extensions["traceId"]) == 32, body
        return body


def prod_settings() -> GatewaySettings:
    return GatewaySettings(
        environment="prod", dapr_api_token="x" * 32, app_api_token="y" * 32
    )  # type: ignore[arg-type]
