"""Status codes and messages a gRPC caller of OrderService sees."""

import grpc
import pytest

from common.caller import ORDERS_WRITE
from common.error_details import Reason
from protos.order.v1 import order_pb2
from services.order.grpc_api import OrderServicer
from tests.unit.common.servicer_context import Aborted, FakeContext, as_gateway
from tests.unit.order.fakes import World


@pytest.fixture
def world() -> World:
    w = World()
    w.inventory.add("mug", stock=10, cents=1299)
    return w


@pytest.fixture
def api(world: World) -> OrderServicer:
    return OrderServicer(world.service)


def alice() -> FakeContext:
    return as_gateway("alice")


def admin() -> FakeContext:
    return as_gateway("root", ORDERS_WRITE)


def place_request(*items: tuple[str, int], key: str = "k", user: str = "alice"):
    return order_pb2.PlaceOrderRequest(
        user_id=user,
        idempotency_key=key,
        items=[order_pb2.PlaceOrderItem(product_id=p, quantity=q) for p, q in items],
    )


def aborted(call) -> Aborted:
    with pytest.raises(Aborted) as err:
        call()
    return err.value


def status_of(call) -> tuple[grpc.StatusCode, str]:
    err = aborted(call)
    return err.code(), err.details()


def test_a_placed_order_comes_back_complete(api) -> None:
    order = api.PlaceOrder(place_request(("mug", 3)), alice())
    assert order.status == order_pb2.PENDING
    assert order.user_id == "alice"
    assert order.total.amount == 3 * 1299 and order.total.currency == "USD"
    assert order.items[0].product_name == "Product mug"
    assert order.items[0].unit_price.amount == 1299
    assert order.created_at.seconds > 0
    fetched = api.GetOrder(
        order_pb2.GetOrderRequest(id=order.id, owner_id="alice"), alice()
    )
    assert fetched == order


@pytest.mark.parametrize(
    ("request_", "code", "named"),
    [
        (place_request(), grpc.StatusCode.INVALID_ARGUMENT, "items"),
        (
            place_request(("mug", 0)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "items[0].quantity",
        ),
        (
            place_request(("mug", 1), key=""),
            grpc.StatusCode.INVALID_ARGUMENT,
            "idempotencyKey",
        ),
        (
            place_request(("mug", 1), user=""),
            grpc.StatusCode.PERMISSION_DENIED,
            "user_id",
        ),
        (
            place_request(("mug", 1), ("nope", 1)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "items[1].productId",
        ),
        (place_request(("mug", 11)), grpc.StatusCode.FAILED_PRECONDITION, "mug"),
    ],
)
def test_placement_failures_map_to_codes_naming_the_culprit(
    api, request_, code, named
) -> None:
    got, details = status_of(lambda: api.PlaceOrder(request_, alice()))
    assert got == code
    assert named in details


def test_product_service_down_is_unavailable(api, world) -> None:
    world.inventory.down = True
    code, _ = status_of(lambda: api.PlaceOrder(place_request(("mug", 1)), alice()))
    assert code == grpc.StatusCode.UNAVAILABLE


def test_status_changes_and_their_refusals(api) -> None:
    order = api.PlaceOrder(place_request(("mug", 1)), alice())

    def update(status):
        return api.UpdateOrderStatus(
            order_pb2.UpdateOrderStatusRequest(id=order.id, status=status),
            admin(),
        )

    assert update(order_pb2.CONFIRMED).status == order_pb2.CONFIRMED
    code, details = status_of(lambda: update(order_pb2.DELIVERED))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "CONFIRMED" in details and "DELIVERED" in details
    code, details = status_of(lambda: update(order_pb2.ORDER_STATUS_UNSPECIFIED))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "status" in details


def test_cancel_by_someone_else_is_not_found(api, world) -> None:
    order = api.PlaceOrder(place_request(("mug", 4)), alice())
    code, _ = status_of(
        lambda: api.CancelOrder(
            order_pb2.CancelOrderRequest(id=order.id, owner_id="mallory"),
            as_gateway("mallory"),
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND
    cancelled = api.CancelOrder(
        order_pb2.CancelOrderRequest(id=order.id, owner_id="alice"), alice()
    )
    assert cancelled.status == order_pb2.CANCELLED
    assert world.inventory.stock("mug") == 10


def test_listing_with_a_bad_token_is_invalid(api) -> None:
    code, details = status_of(
        lambda: api.ListOrders(
            order_pb2.ListOrdersRequest(user_id="alice", page_token="%%%"),
            alice(),
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "pageToken" in details


def test_listing_returns_a_token_until_the_end(api) -> None:
    for i in range(3):
        api.PlaceOrder(place_request(("mug", 1), key=f"k{i}"), alice())
    first = api.ListOrders(
        order_pb2.ListOrdersRequest(user_id="alice", page_size=2), alice()
    )
    rest = api.ListOrders(
        order_pb2.ListOrdersRequest(
            user_id="alice", page_size=2, page_token=first.next_page_token
        ),
        alice(),
    )
    assert len(first.orders) == 2 and first.next_page_token
    assert len(rest.orders) == 1 and not rest.next_page_token


def test_listing_backward_pages_from_the_end(api) -> None:
    for i in range(3):
        api.PlaceOrder(place_request(("mug", 1), key=f"k{i}"), alice())
    everything = api.ListOrders(order_pb2.ListOrdersRequest(user_id="alice"), alice())
    end = api.ListOrders(
        order_pb2.ListOrdersRequest(user_id="alice", page_size=2, backward=True),
        alice(),
    )
    start = api.ListOrders(
        order_pb2.ListOrdersRequest(
            user_id="alice", page_size=2, page_token=end.next_page_token, backward=True
        ),
        alice(),
    )
    assert list(start.orders) + list(end.orders) == list(everything.orders)
    assert len(end.orders) == 2 and end.next_page_token
    assert not start.next_page_token


def test_out_of_stock_carries_the_product_and_the_counts(api) -> None:
    err = aborted(lambda: api.PlaceOrder(place_request(("mug", 11)), alice()))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert err.detail is not None
    assert err.detail.reason == Reason.OUT_OF_STOCK
    assert err.detail.metadata == {
        "product_id": "mug",
        "requested": "11",
        "available": "10",
    }


def test_bad_input_names_each_field_as_a_violation(api) -> None:
    err = aborted(
        lambda: api.PlaceOrder(place_request(("mug", 1), ("nope", 1)), alice())
    )
    assert err.detail is not None
    assert err.detail.reason == Reason.INVALID_ARGUMENT
    assert [v.field for v in err.detail.violations] == ["items[1].productId"]


def test_an_illegal_transition_says_from_where_to_where(api) -> None:
    order = api.PlaceOrder(place_request(("mug", 1)), alice())
    err = aborted(
        lambda: api.UpdateOrderStatus(
            order_pb2.UpdateOrderStatusRequest(id=order.id, status=order_pb2.SHIPPED),
            admin(),
        )
    )
    assert err.detail is not None
    assert err.detail.reason == Reason.ILLEGAL_TRANSITION
    assert err.detail.metadata == {
        "current_status": "PENDING",
        "requested_status": "SHIPPED",
    }


def test_an_unknown_order_is_not_found_naming_it(api) -> None:
    err = aborted(
        lambda: api.GetOrder(
            order_pb2.GetOrderRequest(id="ghost", owner_id="alice"), alice()
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.detail is not None
    assert err.detail.reason == Reason.NOT_FOUND
    assert err.detail.metadata == {"resource": "order", "id": "ghost"}


def test_mixed_currencies_are_named(api, world) -> None:
    world.inventory.add("tea", stock=5, cents=400, cur="EUR")
    err = aborted(
        lambda: api.PlaceOrder(place_request(("mug", 1), ("tea", 1)), alice())
    )
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert err.detail is not None
    assert err.detail.reason == Reason.CURRENCY_MISMATCH
    assert err.detail.metadata == {"currencies": "EUR,USD"}


def test_a_dependency_down_names_it(api, world) -> None:
    world.inventory.down = True
    err = aborted(lambda: api.PlaceOrder(place_request(("mug", 1)), alice()))
    assert err.detail is not None
    assert err.detail.reason == Reason.UNAVAILABLE
    assert err.detail.metadata == {"dependency": "product service"}
