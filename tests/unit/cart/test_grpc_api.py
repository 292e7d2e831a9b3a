"""Status codes and rich details a gRPC caller of CartService sees."""

from __future__ import annotations

import grpc
import pytest

from common.caller import Actor
from common.error_details import Reason
from protos.cart.v1 import cart_pb2
from services.cart.grpc_api import CartServicer
from tests.unit.cart.fakes import World
from tests.unit.common.servicer_context import Aborted, FakeContext, as_app, as_gateway


@pytest.fixture
def api() -> CartServicer:
    return CartServicer(World().service)


def add(api: CartServicer, product: str, quantity: int) -> cart_pb2.Cart:
    request = cart_pb2.AddItemRequest(
        user_id="alice", product_id=product, quantity=quantity
    )
    return api.AddItem(request, as_gateway("alice")).cart


def refusal(api: CartServicer, product: str, quantity: int) -> Aborted:
    with pytest.raises(Aborted) as err:
        add(api, product, quantity)
    return err.value


def test_the_cart_comes_back_whole(api: CartServicer) -> None:
    add(api, "mug", 2)
    cart = api.GetCart(
        cart_pb2.GetCartRequest(user_id="alice"), as_gateway("alice")
    ).cart
    assert cart.user_id == "alice"
    assert [(x.product_id, x.quantity) for x in cart.lines] == [("mug", 2)]
    assert cart.lines[0].added_at.seconds > 0 and cart.updated_at.seconds > 0
    assert cart.max_line_quantity == 10


def test_out_of_stock_carries_what_is_available(api: CartServicer) -> None:
    err = refusal(api, "mug", 6)
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert err.detail is not None and err.detail.reason == Reason.OUT_OF_STOCK
    assert err.detail.metadata == {
        "product_id": "mug",
        "requested": "6",
        "available": "5",
    }


def test_bad_quantities_name_the_field(api: CartServicer) -> None:
    for quantity in (0, -3, 11):
        err = refusal(api, "tea", quantity)
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert err.detail is not None
        assert [v.field for v in err.detail.violations] == ["quantity"]


def test_an_unknown_product_is_not_found(api: CartServicer) -> None:
    err = refusal(api, "ghost", 1)
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.detail is not None and err.detail.metadata == {
        "resource": "product",
        "id": "ghost",
    }


def test_set_remove_and_clear(api: CartServicer) -> None:
    add(api, "mug", 1)
    add(api, "tea", 1)
    cart = api.SetItemQuantity(
        cart_pb2.SetItemQuantityRequest(user_id="alice", product_id="tea", quantity=7),
        as_gateway("alice"),
    ).cart
    assert [(x.product_id, x.quantity) for x in cart.lines] == [("mug", 1), ("tea", 7)]
    cart = api.RemoveItem(
        cart_pb2.RemoveItemRequest(user_id="alice", product_id="mug"),
        as_gateway("alice"),
    ).cart
    assert [x.product_id for x in cart.lines] == ["tea"]
    cart = api.ClearCart(
        cart_pb2.ClearCartRequest(user_id="alice"), as_gateway("alice")
    ).cart
    assert list(cart.lines) == [] and not cart.HasField("updated_at")


@pytest.mark.parametrize(
    "context",
    [as_gateway("bob"), as_gateway(""), as_app("order", *Actor("alice").metadata())],
    ids=["another user", "no acting user", "not the gateway"],
)
def test_a_cart_is_served_to_its_owner_only(
    api: CartServicer, context: FakeContext
) -> None:
    with pytest.raises(Aborted) as err:
        api.GetCart(cart_pb2.GetCartRequest(user_id="alice"), context)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(Aborted):
        api.ClearCart(cart_pb2.ClearCartRequest(user_id="alice"), context)
