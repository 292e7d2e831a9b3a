"""The order service as the gateway sees it, in memory (status rules included)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from common.caller import ORDERS_WRITE, Actor
from gateway import clients
from tests.unit.gateway.fake_identity import (
    require_owner,
    require_permission,
)
from tests.unit.gateway.fake_pages import offset_page
from tests.unit.gateway.fake_products import FakeProducts

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
        self,
        user_id: str,
        page_size: int,
        page_token: str,
        *,
        actor: Actor,
        backward: bool = False,
    ) -> clients.Page[clients.Order]:
        self._check("list_for_user")
        require_owner(actor, user_id)
        mine = [o for o in reversed(list(self.by_id.values())) if o.user_id == user_id]
        return offset_page(mine, page_size, page_token, backward)

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
