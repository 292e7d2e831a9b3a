"""The access table (devmesh/access.py) against the code, the protos, the
component files and the Configurations the launcher renders from it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from common import components, topics
from devmesh import access
from devmesh.launcher.dapr_config import render_app_config
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES
from protos.cart.v1 import cart_pb2
from protos.order.v1 import order_pb2
from protos.product.v1 import product_pb2
from protos.user.v1 import user_pb2

PROFILES = ("full", "lite", "prod-local", "prod")
SERVICES = {
    "user": user_pb2.DESCRIPTOR.services_by_name["UserService"],
    "product": product_pb2.DESCRIPTOR.services_by_name["ProductService"],
    "order": order_pb2.DESCRIPTOR.services_by_name["OrderService"],
    "cart": cart_pb2.DESCRIPTOR.services_by_name["CartService"],
}


def _component(profile: str, name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "components" / profile / f"{name}.yaml").read_text())


def test_every_allowed_method_exists_in_the_callees_proto() -> None:
    for caller, callees in access.CALLS.items():
        for callee, methods in callees.items():
            service = SERVICES[callee]
            real = {f"/{service.full_name}/{m.name}" for m in service.methods}
            assert set(methods) <= real, (caller, callee)


def test_nobody_calls_notification_or_the_gateway_and_only_order_the_stock() -> None:
    assert access.callers_of("notification") == {}
    assert access.callers_of("gateway") == {}
    stock = set(access.callers_of("product")["order"])
    assert stock == {
        "/daprshop.product.v1.ProductService/ReserveStock",
        "/daprshop.product.v1.ProductService/CommitStock",
        "/daprshop.product.v1.ProductService/ReleaseStock",
    }
    assert not stock & set(access.callers_of("product")["gateway"])
    assert not stock & set(access.callers_of("product")["cart"])


def test_only_the_gateway_calls_the_cart_and_the_cart_only_reads_products() -> None:
    assert set(access.callers_of("cart")) == {"gateway"}
    assert access.CALLS["cart"] == {
        "product": ("/daprshop.product.v1.ProductService/GetProduct",)
    }
    assert access.COMPONENTS["carts"] == ("cart",)
    assert access.APIS["cart"] == ("state", "metadata")


def test_every_topic_has_one_publisher_and_its_subscribers() -> None:
    for topic in topics.ALL:
        publishers = [a for a, names in access.PUBLISHES.items() if topic in names]
        assert len(publishers) == 1, topic
    for app, names in access.SUBSCRIBES.items():
        for topic in names:
            assert topics.dead_letter(topic) in access.PUBLISHES[app]


@pytest.mark.parametrize("profile", PROFILES)
def test_pubsub_scopes_in_every_profile_come_from_the_table(profile: str) -> None:
    meta = {
        m["name"]: m.get("value")
        for m in _component(profile, "pubsub")["spec"]["metadata"]
    }
    assert meta["publishingScopes"] == access.scope_string(access.PUBLISHES)
    assert meta["subscriptionScopes"] == access.scope_string(access.SUBSCRIBES)
    assert meta["protectedTopics"].split(",") == list(access.all_topics())


@pytest.mark.parametrize("profile", ("full", "lite"))
def test_components_are_scoped_to_the_apps_that_use_them(profile: str) -> None:
    for name in components.ALL:
        assert _component(profile, name)["scopes"] == list(access.COMPONENTS[name])


@pytest.mark.parametrize("profile", ("prod-local", "prod"))
def test_prod_loads_the_secret_store_everywhere_for_component_secret_refs(
    profile: str,
) -> None:
    assert _component(profile, components.SECRETS)["scopes"] == list(APP_NAMES)


@pytest.mark.parametrize("app", APP_NAMES)
def test_rendered_configuration_denies_by_default(app: str) -> None:
    spec = yaml.safe_load(Path(render_app_config("full", app)).read_text())["spec"]
    acl = spec["accessControl"]
    assert acl["defaultAction"] == "deny"
    assert acl["trustDomain"] == "public"
    allowed = {
        policy["appId"]: [op["name"] for op in policy["operations"]]
        for policy in acl["policies"]
    }
    assert allowed == {c: list(m) for c, m in access.callers_of(app).items()}
    assert all(p["defaultAction"] == "deny" for p in acl["policies"])
    assert {a["name"] for a in spec["api"]["allowed"]} == set(access.APIS[app])
    (scope,) = spec["secrets"]["scopes"]
    assert scope["defaultAccess"] == "deny"
    assert scope["allowedSecrets"] == list(access.SECRETS[app])
