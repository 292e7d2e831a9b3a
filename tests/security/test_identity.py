"""Identity inside the services, against the real mesh: the gateway's sidecar
carries forged owners to the order service, which answers with no data of
others and writes an audit line; a forged caller app id loses to the one the
calling sidecar appends (common.caller)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import grpc
import pytest

from common.caller import CALLER_APP_HEADER, NOBODY, Actor
from common.error_details import Reason, from_rpc_error
from devmesh import trust
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration.helpers import ADMIN, eventually, sidecar_channel

pytestmark = [pytest.mark.security, pytest.mark.lite]


def md(app: str, actor: Actor = NOBODY, via: str = "gateway") -> Any:
    token = trust.api_tokens()[via].dapr
    return (("dapr-app-id", app), ("dapr-api-token", token), *actor.metadata())


class Shop:
    def __init__(self) -> None:
        channel = sidecar_channel(via="gateway")
        self.users = user_pb2_grpc.UserServiceStub(channel)  # type: ignore[no-untyped-call]
        self.products = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]
        self.orders = order_pb2_grpc.OrderServiceStub(channel)  # type: ignore[no-untyped-call]

    def user(self, name: str) -> Actor:
        subject = f"identity|{name}-{uuid.uuid4().hex[:6]}"
        user = self.users.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(subject=subject, email=f"{name}@x.test"),
            metadata=md("user", Actor(subject=subject)),
            timeout=10,
        ).user
        return Actor(user.id, subject)

    def product(self) -> Any:
        return self.products.CreateProduct(
            product_pb2.CreateProductRequest(
                name=f"Identity {uuid.uuid4().hex[:6]}",
                category="tests",
                price=money_pb2.Money(amount=100, currency="USD"),
                stock=10,
            ),
            metadata=md("product", ADMIN),
            timeout=10,
        )


@pytest.fixture(scope="module")
def shop(mesh: object) -> Shop:
    return Shop()


@pytest.fixture(scope="module")
def alice_and_her_order(shop: Shop) -> tuple[Actor, Any]:
    alice = shop.user("alice")
    order = shop.orders.PlaceOrder(
        order_pb2.PlaceOrderRequest(
            user_id=alice.user_id,
            items=[order_pb2.PlaceOrderItem(product_id=shop.product().id, quantity=1)],
            idempotency_key=uuid.uuid4().hex,
        ),
        metadata=md("order", alice),
        timeout=20,
    )
    return alice, order


def denied(call: Any) -> None:
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, err.value
    detail = from_rpc_error(err.value)
    assert detail is not None and detail.reason == Reason.PERMISSION_DENIED
    # Refused by the order app, not by a sidecar's access control.
    assert detail.fact("caller") == "gateway"


def audit_lines(mesh: Any, app: str, needle: str) -> list[str]:
    log: Path = mesh.log_path(app)
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if "audit" in line and needle in line
    ]


@pytest.mark.parametrize("owner", ["empty", "alice's"])
def test_owner_forging_gets_no_data_of_others_and_an_audit_line(
    mesh: Any, shop: Shop, alice_and_her_order: tuple[Actor, Any], owner: str
) -> None:
    alice, order = alice_and_her_order
    bob = shop.user("bob")
    named = "" if owner == "empty" else alice.user_id
    as_bob = md("order", bob)

    denied(
        lambda: shop.orders.GetOrder(
            order_pb2.GetOrderRequest(id=order.id, owner_id=named),
            metadata=as_bob,
            timeout=10,
        )
    )
    denied(
        lambda: shop.orders.ListOrders(
            order_pb2.ListOrdersRequest(user_id=named), metadata=as_bob, timeout=10
        )
    )
    denied(
        lambda: shop.orders.CancelOrder(
            order_pb2.CancelOrderRequest(id=order.id, owner_id=named),
            metadata=as_bob,
            timeout=10,
        )
    )
    own = shop.orders.ListOrders(
        order_pb2.ListOrdersRequest(user_id=bob.user_id), metadata=as_bob, timeout=10
    )
    assert list(own.orders) == []
    still = shop.orders.GetOrder(
        order_pb2.GetOrderRequest(id=order.id, owner_id=alice.user_id),
        metadata=md("order", alice),
        timeout=10,
    )
    assert still.status == order_pb2.PENDING
    lines = eventually(
        lambda: audit_lines(mesh, "order", f"user={bob.user_id}"),
        10,
        what="order's audit lines",
    )
    assert len(lines) >= 3, lines
    assert all("caller_app=gateway" in line for line in lines)


def test_a_call_without_the_acting_user_is_refused(
    shop: Shop, alice_and_her_order: tuple[Actor, Any]
) -> None:
    _, order = alice_and_her_order
    denied(
        lambda: shop.orders.GetOrder(
            order_pb2.GetOrderRequest(id=order.id), metadata=md("order"), timeout=10
        )
    )
    denied(
        lambda: shop.orders.UpdateOrderStatus(
            order_pb2.UpdateOrderStatusRequest(id=order.id, status=order_pb2.SHIPPED),
            metadata=md("order", Actor("someone")),
            timeout=10,
        )
    )


def test_a_forged_caller_app_id_loses_to_the_calling_sidecars(
    mesh: Any, shop: Shop
) -> None:
    """Through order's sidecar (the one caller its access table lets reserve
    stock), claiming to be the gateway: the product service sees both values,
    counts order's, the last, and writes an audit line."""
    product = shop.product()
    products = product_pb2_grpc.ProductServiceStub(sidecar_channel(via="order"))  # type: ignore[no-untyped-call]
    forged = (*md("product", via="order"), (CALLER_APP_HEADER, "gateway"))

    level = products.ReserveStock(
        product_pb2.ReserveStockRequest(
            product_id=product.id, quantity=1, reservation_id=f"forged-{product.id}"
        ),
        metadata=forged,
        timeout=10,
    )

    assert level.stock == 9
    lines = eventually(
        lambda: audit_lines(mesh, "product", "several caller app ids"),
        10,
        what="product's audit line",
    )
    assert any("caller_app=order" in line for line in lines), lines
