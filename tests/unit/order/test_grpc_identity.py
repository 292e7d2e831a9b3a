"""Owner forging against OrderService: a request naming an empty or another
user's owner gets no data of others, and leaves an audit line."""

from __future__ import annotations

import logging
from collections.abc import Callable

import grpc
import pytest

from common.caller import ORDERS_WRITE, PRODUCTS_WRITE, Actor
from common.error_details import Reason
from protos.order.v1 import order_pb2
from services.order.grpc_api import OrderServicer
from tests.unit.common.servicer_context import Aborted, as_app, as_gateway
from tests.unit.order.fakes import World


@pytest.fixture
def world() -> World:
    w = World()
    w.inventory.add("mug", stock=10)
    return w


@pytest.fixture
def api(world: World) -> OrderServicer:
    return OrderServicer(world.service)


@pytest.fixture
def alices_order(api: OrderServicer) -> order_pb2.Order:
    return api.PlaceOrder(
        order_pb2.PlaceOrderRequest(
            user_id="alice",
            idempotency_key="k",
            items=[order_pb2.PlaceOrderItem(product_id="mug", quantity=2)],
        ),
        as_gateway("alice"),
    )


def refused(call: Callable[[], object], caplog: pytest.LogCaptureFixture) -> None:
    """The call ends PERMISSION_DENIED (reason and caller as data) and one
    audit line says so."""
    caplog.clear()
    with caplog.at_level(logging.WARNING), pytest.raises(Aborted) as err:
        call()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.value.detail is not None
    assert err.value.detail.reason == Reason.PERMISSION_DENIED
    assert "caller" in err.value.detail.metadata
    audits = [r for r in caplog.records if "audit" in r.getMessage()]
    assert audits and all(r.exc_info is None for r in audits)


@pytest.mark.parametrize("owner", ["", "alice"])
def test_bob_cannot_read_alices_order_by_naming_her_or_nobody(
    api: OrderServicer, alices_order: order_pb2.Order, owner: str, caplog
) -> None:
    request = order_pb2.GetOrderRequest(id=alices_order.id, owner_id=owner)
    refused(lambda: api.GetOrder(request, as_gateway("bob")), caplog)
    assert "user=bob method=GetOrder" in caplog.text


def test_bob_naming_himself_gets_not_found_for_alices_order(
    api: OrderServicer, alices_order: order_pb2.Order
) -> None:
    with pytest.raises(Aborted) as err:
        api.GetOrder(
            order_pb2.GetOrderRequest(id=alices_order.id, owner_id="bob"),
            as_gateway("bob"),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("user", ["", "alice"])
def test_bob_cannot_list_alices_orders_or_everyones(
    api: OrderServicer, alices_order: order_pb2.Order, user: str, caplog
) -> None:
    request = order_pb2.ListOrdersRequest(user_id=user)
    refused(lambda: api.ListOrders(request, as_gateway("bob")), caplog)
    own = api.ListOrders(order_pb2.ListOrdersRequest(user_id="bob"), as_gateway("bob"))
    assert list(own.orders) == []


@pytest.mark.parametrize("owner", ["", "alice"])
def test_bob_cannot_cancel_alices_order(
    api: OrderServicer, alices_order: order_pb2.Order, world: World, owner, caplog
) -> None:
    request = order_pb2.CancelOrderRequest(id=alices_order.id, owner_id=owner)
    refused(lambda: api.CancelOrder(request, as_gateway("bob")), caplog)
    assert world.inventory.stock("mug") == 8


def test_bob_cannot_place_an_order_in_alices_name(
    api: OrderServicer, world: World, caplog
) -> None:
    request = order_pb2.PlaceOrderRequest(
        user_id="alice",
        idempotency_key="k2",
        items=[order_pb2.PlaceOrderItem(product_id="mug", quantity=1)],
    )
    refused(lambda: api.PlaceOrder(request, as_gateway("bob")), caplog)
    assert world.inventory.stock("mug") == 10


def test_an_admin_reads_any_order(
    api: OrderServicer, alices_order: order_pb2.Order
) -> None:
    got = api.GetOrder(
        order_pb2.GetOrderRequest(id=alices_order.id), as_gateway("root", ORDERS_WRITE)
    )
    assert got.user_id == "alice"


def test_status_changes_need_orders_write_from_the_gateway(
    api: OrderServicer, alices_order: order_pb2.Order, caplog
) -> None:
    request = order_pb2.UpdateOrderStatusRequest(
        id=alices_order.id, status=order_pb2.CONFIRMED
    )
    refused(lambda: api.UpdateOrderStatus(request, as_gateway("alice")), caplog)
    refused(
        lambda: api.UpdateOrderStatus(request, as_gateway("root", PRODUCTS_WRITE)),
        caplog,
    )
    forged = Actor("root", "", frozenset({ORDERS_WRITE})).metadata()
    refused(lambda: api.UpdateOrderStatus(request, as_app("product", *forged)), caplog)
    confirmed = api.UpdateOrderStatus(request, as_gateway("root", ORDERS_WRITE))
    assert confirmed.status == order_pb2.CONFIRMED


def test_no_caller_but_the_gateway_acts_for_a_user(
    api: OrderServicer, alices_order: order_pb2.Order, caplog
) -> None:
    forged = Actor("alice").metadata()
    request = order_pb2.GetOrderRequest(id=alices_order.id, owner_id="alice")
    refused(lambda: api.GetOrder(request, as_app("product", *forged)), caplog)
    assert "caller_app=product" in caplog.text
