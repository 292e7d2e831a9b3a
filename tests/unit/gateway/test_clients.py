"""The typed gRPC clients: what they send (app id, tokens, trace context,
timeouts) and how the services' status codes become typed errors. A grpc.aio
server on a free local port plays the sidecar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from gateway import clients
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc

pytestmark = pytest.mark.anyio


class RpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def test_the_order_services_out_of_stock_message_keeps_its_counts() -> None:
    details = "product abc123 is out of stock (product abc123: 5 requested, 2 in stock)"

    error = clients.error_from_rpc(
        RpcError(grpc.StatusCode.FAILED_PRECONDITION, details)
    )

    assert isinstance(error, clients.OutOfStock)
    assert (error.product_id, error.requested, error.available) == ("abc123", 5, 2)


def test_a_bare_out_of_stock_message_still_names_the_product() -> None:
    error = clients.error_from_rpc(
        RpcError(grpc.StatusCode.FAILED_PRECONDITION, "product p9 is out of stock")
    )

    assert isinstance(error, clients.OutOfStock)
    assert (error.product_id, error.requested, error.available) == ("p9", None, None)


def test_other_failed_preconditions_are_conflicts() -> None:
    error = clients.error_from_rpc(
        RpcError(
            grpc.StatusCode.FAILED_PRECONDITION,
            "order o1: cannot go from SHIPPED to CANCELLED",
        )
    )

    assert isinstance(error, clients.FailedPrecondition)


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ("items[2].productId: is required", "items[2].productId", "is required"),
        (
            "min_price: must not exceed max_price",
            "minPrice",
            "must not exceed max_price",
        ),
        ("price.amount: must not be negative", "price.amount", "must not be negative"),
        ("something odd happened", "", "something odd happened"),
    ],
)
def test_invalid_arguments_keep_their_field_names(
    details: str, field: str, message: str
) -> None:
    error = clients.error_from_rpc(RpcError(grpc.StatusCode.INVALID_ARGUMENT, details))

    assert isinstance(error, clients.InvalidArgument)
    assert error.problems == [clients.FieldProblem(field, message)]


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    ],
)
def test_a_service_that_cannot_answer_is_unavailable(code: grpc.StatusCode) -> None:
    assert isinstance(clients.error_from_rpc(RpcError(code, "")), clients.Unavailable)


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
    ],
)
def test_anything_else_is_unexpected(code: grpc.StatusCode) -> None:
    error = clients.error_from_rpc(RpcError(code, "boom"))

    assert isinstance(error, clients.UnexpectedServiceError)
    assert not isinstance(error, clients.ServiceError)


# --- over a real channel --------------------------------------------------------------


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
        await context.abort(
            grpc.StatusCode.NOT_FOUND, f"product {request.id} not found"
        )

    async def UpdateProduct(self, request: Any, context: Any) -> Any:
        self._record(context)
        # Only fields that are set change: report which were sent.
        sent = [f.name for f, _ in request.ListFields() if f.name != "id"]
        return product_pb2.Product(id=request.id, name=",".join(sorted(sent)))


class OrderServicer(order_pb2_grpc.OrderServiceServicer):
    async def GetOrder(self, request: Any, context: Any) -> Any:
        if request.owner_id != "u1":
            await context.abort(grpc.StatusCode.NOT_FOUND, "order not found")
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
    token = clients.current_traceparent.set(traceparent)
    try:
        found = await product_client.batch_get(["p1", "missing"])
    finally:
        clients.current_traceparent.reset(token)
        await channel.close()

    assert found == [
        clients.Product("p1", "Product p1", "", "c", clients.Money(250, "EUR"), 3)
    ]
    metadata = servicer.metadata[0]
    assert metadata["dapr-app-id"] == "product"
    assert metadata["dapr-api-token"] == "dapr-token"
    assert metadata["traceparent"] == traceparent
    # The server reads the propagated deadline back; allow for clock rounding.
    assert servicer.timeouts[0] is not None and 2.0 < servicer.timeouts[0] <= 3.1


async def test_a_status_from_the_service_becomes_a_typed_error(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    try:
        with pytest.raises(clients.NotFound):
            await clients.GrpcProductClient(channel, clients.Invocation("product")).get(
                "p404"
            )
    finally:
        await channel.close()


async def test_an_update_sends_only_the_fields_given(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    try:
        updated = await clients.GrpcProductClient(
            channel, clients.Invocation("product")
        ).update("p1", clients.ProductChanges(name="Lamp", stock=0))
    finally:
        await channel.close()

    assert updated.name == "name,stock"  # stock=0 is sent, not dropped


async def test_orders_come_back_as_plain_values(
    sidecar: tuple[str, ProductServicer],
) -> None:
    address, _ = sidecar
    channel = clients.sidecar_channel(address)
    orders = clients.GrpcOrderClient(channel, clients.Invocation("order"))
    try:
        order = await orders.get("o1", owner_id="u1")
        with pytest.raises(clients.NotFound):
            await orders.get("o1", owner_id="someone-else")
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
            ).get("u1")
    finally:
        await channel.close()
