"""Every caller x callee x method: only the edges of devmesh/access.py pass."""

from __future__ import annotations

import pytest

from devmesh import access, trust
from devmesh.ports import APP_NAMES
from protos.cart.v1 import cart_pb2
from protos.order.v1 import order_pb2
from protos.product.v1 import product_pb2
from protos.user.v1 import user_pb2
from tests.security.calls import acl_denied, via_sidecar

pytestmark = [pytest.mark.security, pytest.mark.lite]

SERVICES = {
    "user": user_pb2.DESCRIPTOR.services_by_name["UserService"],
    "product": product_pb2.DESCRIPTOR.services_by_name["ProductService"],
    "order": order_pb2.DESCRIPTOR.services_by_name["OrderService"],
    "cart": cart_pb2.DESCRIPTOR.services_by_name["CartService"],
}
# Notification serves no gRPC service: any method name stands for "a call
# to notification", which its sidecar must refuse whoever asks.
NOTIFICATION = "/daprshop.notification.v1.NotificationService/Notify"


def _methods(callee: str) -> list[str]:
    service = SERVICES.get(callee)
    if service is None:
        return [NOTIFICATION]
    return [f"/{service.full_name}/{m.name}" for m in service.methods]


EDGES = [
    (caller, callee, method)
    for caller in APP_NAMES
    for callee in APP_NAMES
    if callee not in (caller, "gateway")
    for method in _methods(callee)
]


def test_the_table_names_only_real_methods() -> None:
    for methods in access.CALLS.values():
        for callee, names in methods.items():
            assert set(names) <= set(_methods(callee)), callee


@pytest.mark.parametrize(("caller", "callee", "method"), EDGES)
def test_only_listed_calls_pass_the_callees_sidecar(
    mesh: object, caller: str, callee: str, method: str
) -> None:
    allowed = method in access.CALLS.get(caller, {}).get(callee, ())
    err = via_sidecar(caller, callee, method, trust.api_tokens()[caller].dapr)
    if allowed:
        assert not acl_denied(err), f"{caller} -> {method}: {err}"
    else:
        assert acl_denied(err), f"{caller} -> {method} was not refused: {err}"
