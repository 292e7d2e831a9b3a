"""The typed gRPC clients: what they send (app id, tokens, trace context,
timeouts) and how the services' rich error details arrive as typed errors. A
grpc.aio server on a free local port plays the sidecar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from common import tracing
from common.caller import PRODUCTS_WRITE, Actor
from common.error_details import ErrorDetail, FieldViolation, Reason, to_grpc_status
from gateway import clients
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc

pytestmark = pytest.mark.anyio

ALICE = Actor("u1", "oidc|alice")


async def refuse(context: Any, detail: ErrorDetail) -> None:
    """What a service does: the code, its message and the rich details."""
    status = to_grpc_status(detail)
    await context.abort(status.code, status.details, status.trailing_metadata)


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


class ProductServicer(product_pb2_grpc.ProductServiceServicer):
    def __init__(self) -> None:
        self.metadata: list[dict[str, str]] = []
        self.timeouts: list[float | None] = []

    def _record(self, context: grpc.aio.ServicerContext) -> None:
        self.metadata.append(dict(context.invocation_metadata() or ()))
        self.timeouts.append(context.time_remaining())

    async def BatchGetProducts(self, request: Any, context: Any) -> Any:
        self._record(context)
        return product_pb2.BatchGetProductsResponse(
            products=[
                product_pb2.Product(
                    id=i,
                    name=f"Product {i}",
                    category="c",
                    price=money_pb2.Money(amount=250, currency="EUR"),
                    stock=3,
                )
                for i in request.ids
                if i != "missing"
            ]
        )

    async def GetProduct(self, request: Any, context: Any) -> Any:
        self._record(context)
        await refuse(
            context,
            ErrorDetail(
                grpc.StatusCode.NOT_FOUND,
                Reason.NOT_FOUND,
                f"product {request.id} not found",
                {"resource": "product", "id": request.id},
            ),
        )

    async def UpdateProduct(self, request: Any, context: Any) -> Any:
        self._record(context)
        # Only fields that are set change: report which were sent.
        sent = [f.name for f, _ in request.ListFields() if f.name != "id"]
        return product_pb2.Product(id=request.id, name=",".join(sorted(sent)))


class OrderServicer(order_pb2_grpc.OrderServiceServicer):
    async def PlaceOrder(self, request: Any, context: Any) -> Any:
        if not request.idempotency_key:
            await refuse(
                context,
                ErrorDetail(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    Reason.INVALID_ARGUMENT,
                    "bad input",
                    violations=(FieldViolation("idempotency_key", "is required"),),
                ),
            )
        item = request.items[0]
        await refuse(
            context,
            ErrorDetail(
                grpc.StatusCode.FAILED_PRECONDITION,
                Reason.OUT_OF_STOCK,
                "not enough stock",
                {
                    "product_id": item.product_id,
                    "requested": str(item.quantity),
                    "available": "1",
                },
            ),
        )

    async def GetOrder(self, request: Any, context: Any) -> Any:
        if request.owner_id != "u1":
            await refuse(
                context,
                ErrorDetail(
                    grpc.StatusCode.NOT_FOUND,
                    Reason.NOT_FOUND,
                    "order not found",
                    {"resource": "order", "id": request.id},
                ),
            )
        created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        return order_pb2.Order(
            id=request.id,
            user_id="u1",
            status=order_pb2.SHIPPED,
            items=[
                order_pb2.OrderItem(
                    product_id="p1",
                    product_name="Lamp",
                    quantity=2,
                    unit_price=money_pb2.Money(amount=100, currency="USD"),
                )
            ],
            total=money_pb2.Money(amount=200, currency="USD"),
            created_at=stamp(created),
            updated_at=stamp(created),
        )


@pytest.fixture
async def sidecar() -> AsyncIterator[tuple[str, ProductServicer]]:
    server = grpc.aio.server()
    products = ProductServicer()
    product_pb2_grpc.add_ProductServiceServicer_to_server(products, server)
    order_pb2_grpc.add_OrderServiceServicer_to_server(OrderServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}", products
    finally:
        await server.stop(None)


async def test_calls_carry_app_id_token_and_trace_context(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, servicer = sidecar
    channel = clients.sidecar_channel(address)
    product_client = clients.GrpcProductClient(
        channel, clients.Invocation("product", "dapr-token", timeout=3.0)
    )
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    try:
        with tracing.continue_trace("request", traceparent) as request_span:
            found = await product_client.batch_get(["p1", "missing"])
    finally:
        await channel.close()

    assert found == [
        clients.Product("p1", "Product p1", "", "c", clients.Money(250, "EUR"), 3)
    ]
    metadata = servicer.metadata[0]
    assert metadata["dapr-app-id"] == "product"
    assert metadata["dapr-api-token"] == "dapr-token"
    # The call is a span of its own under the request's, in the same trace.
    sent = tracing.parse_traceparent(metadata["traceparent"])
    assert sent is not None and sent.sampled
    assert sent.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert sent.span_id not in ("b7ad6b7169203331", request_span.context.span_id)
    # A public read is made for nobody: no acting-user headers.
    assert not any(key.startswith("x-shop-") for key in metadata)
    # The server reads the propagated deadline back; allow for clock rounding.
    assert servicer.timeouts[0] is not None and 2.0 < servicer.timeouts[0] <= 3.1


async def test_a_status_from_the_service_becomes_a_typed_error(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    try:
        with pytest.raises(clients.NotFound) as caught:
            await clients.GrpcProductClient(channel, clients.Invocation("product")).get(
                "p404"
            )
    finally:
        await channel.close()

    assert (caught.value.resource, caught.value.id) == ("product", "p404")


async def test_out_of_stock_facts_cross_the_wire(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    orders = clients.GrpcOrderClient(channel, clients.Invocation("order"))
    try:
        with pytest.raises(clients.OutOfStock) as caught:
            await orders.place(
                "u1", [clients.LineRequest("p1", 4)], "key-1", actor=ALICE
            )
        with pytest.raises(clients.InvalidArgument) as invalid:
            await orders.place("u1", [clients.LineRequest("p1", 4)], "", actor=ALICE)
    finally:
        await channel.close()

    stock = caught.value
    assert (stock.product_id, stock.requested, stock.available) == ("p1", 4, 1)
    assert invalid.value.problems == [
        clients.FieldProblem("idempotencyKey", "is required")
    ]


async def test_an_update_sends_only_the_fields_given(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, servicer = sidecar
    channel = clients.sidecar_channel(address)
    try:
        updated = await clients.GrpcProductClient(
            channel, clients.Invocation("product")
        ).update(
            "p1",
            clients.ProductChanges(name="Lamp", stock=0),
            actor=Actor("u9", "oidc|root", frozenset({PRODUCTS_WRITE})),
        )
    finally:
        await channel.close()

    assert updated.name == "name,stock"  # stock=0 is sent, not dropped
    # The acting user and its permissions travel with the call.
    sent = servicer.metadata[0]
    assert sent["x-shop-user"] == "u9"
    assert sent["x-shop-subject"] == "oidc|root"
    assert sent["x-shop-permissions"] == PRODUCTS_WRITE


async def test_orders_come_back_as_plain_values(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    orders = clients.GrpcOrderClient(channel, clients.Invocation("order"))
    try:
        order = await orders.get("o1", "u1", actor=ALICE)
        with pytest.raises(clients.NotFound):
            await orders.get("o1", "someone-else", actor=ALICE)
    finally:
        await channel.close()

    assert order.status is clients.OrderStatus.SHIPPED
    assert order.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert order.lines == (
        clients.OrderLine("p1", "Lamp", 2, clients.Money(100, "USD")),
    )


async def test_an_unreachable_sidecar_is_unavailable() -> None:
    channel = clients.sidecar_channel("127.0.0.1:1")
    try:
        with pytest.raises(clients.Unavailable):
            await clients.GrpcUserClient(
                channel, clients.Invocation("user", timeout=0.5)
            ).get("u1", actor=ALICE)
    finally:
        await channel.close()
