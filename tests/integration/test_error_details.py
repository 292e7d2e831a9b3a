"""Refusals carry their reason and facts through Dapr's gRPC proxy.

Calls enter through the gateway's sidecar, as the gateway makes them; the rich
error details (google.rpc.Status in `grpc-status-details-bin`) must survive
the caller's sidecar, the callee's sidecar and, for orders, the order service
passing on what product said.
"""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from common.error_details import ErrorDetail, Reason, from_rpc_error
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from tests.integration.helpers import sidecar_channel, sidecar_metadata

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def channel() -> Any:
    return sidecar_channel(via="gateway")


def products_stub(channel: Any) -> Any:
    return product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]


def orders_stub(channel: Any) -> Any:
    return order_pb2_grpc.OrderServiceStub(channel)  # type: ignore[no-untyped-call]


def refusal(call: Any) -> tuple[grpc.RpcError, ErrorDetail]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    detail = from_rpc_error(caught.value)
    assert detail is not None, f"no rich details: {caught.value}"
    return caught.value, detail


def new_product(channel: Any, env: dict[str, str], stock: int) -> Any:
    return products_stub(channel).CreateProduct(
        product_pb2.CreateProductRequest(
            name=f"Scarce {uuid.uuid4().hex[:6]}",
            category="tests",
            price=money_pb2.Money(amount=700, currency="USD"),
            stock=stock,
        ),
        metadata=sidecar_metadata(env, "product"),
        timeout=10,
    )


def test_an_order_for_too_many_units_says_how_many_are_left(
    channel: Any, shared_env: dict[str, str]
) -> None:
    product = new_product(channel, shared_env, stock=3)
    orders = orders_stub(channel)
    err, detail = refusal(
        lambda: orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(
                user_id="details-buyer",
                items=[order_pb2.PlaceOrderItem(product_id=product.id, quantity=5)],
                idempotency_key=uuid.uuid4().hex,
            ),
            metadata=sidecar_metadata(shared_env, "order"),
            timeout=20,
        )
    )
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert detail.reason == Reason.OUT_OF_STOCK
    assert detail.metadata == {
        "product_id": product.id,
        "requested": "5",
        "available": "3",
    }


def test_product_itself_answers_out_of_stock_with_its_facts(
    channel: Any, shared_env: dict[str, str]
) -> None:
    product = new_product(channel, shared_env, stock=1)
    # Only order may reserve (devmesh/access.py): call as order does.
    products = products_stub(sidecar_channel(via="order"))
    _, detail = refusal(
        lambda: products.ReserveStock(
            product_pb2.ReserveStockRequest(
                product_id=product.id, quantity=2, reservation_id="it-oos-1"
            ),
            metadata=sidecar_metadata(shared_env, "product", via="order"),
            timeout=10,
        )
    )
    assert detail.reason == Reason.OUT_OF_STOCK
    assert detail.int_fact("available") == 1


def test_not_found_and_bad_input_name_what_is_wrong(
    channel: Any, shared_env: dict[str, str]
) -> None:
    orders = orders_stub(channel)
    md = sidecar_metadata(shared_env, "order")
    err, detail = refusal(
        lambda: orders.GetOrder(
            order_pb2.GetOrderRequest(id="nope"), metadata=md, timeout=10
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert detail.reason == Reason.NOT_FOUND
    assert detail.metadata == {"resource": "order", "id": "nope"}
    err, detail = refusal(
        lambda: orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(user_id="u", items=[], idempotency_key="k"),
            metadata=md,
            timeout=10,
        )
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert detail.reason == Reason.INVALID_ARGUMENT
    assert [v.field for v in detail.violations] == ["items"]
