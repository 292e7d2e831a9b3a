"""The shop's behaviour through real sidecars, Kafka, MariaDB, FerretDB and Redis.

Calls enter through the gateway's sidecar with `dapr-app-id` (as the gateway
itself does); effects are checked where they land: MongoDB, MySQL, the Kafka
topic, the SMTP catcher, the SMS binding's output folder.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import uuid
from pathlib import Path
from typing import Any

import grpc
import pytest

from common import events, topics
from common.caller import NOBODY, Actor
from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration import backends
from tests.integration.helpers import (
    ADMIN,
    dapr_client,
    dapr_token,
    eventually,
    mailpit_messages,
    sidecar_channel,
)

pytestmark = pytest.mark.integration


class Shop:
    """The three domain services, called through the gateway's sidecar."""

    def __init__(self, token: str) -> None:
        channel = sidecar_channel(via="gateway")
        self.users = user_pb2_grpc.UserServiceStub(channel)
        self.products = product_pb2_grpc.ProductServiceStub(channel)
        self.orders = order_pb2_grpc.OrderServiceStub(channel)
        self._token = token

    def md(self, app: str, actor: Actor = NOBODY) -> tuple[tuple[str, str], ...]:
        """As the gateway calls `app`, for `actor` (common.caller)."""
        return (
            ("dapr-app-id", app),
            ("dapr-api-token", self._token),
            *actor.metadata(),
        )

    def new_user(self, phone: str = "") -> Any:
        tag = uuid.uuid4().hex[:10]
        subject = f"test|{tag}"
        user = self.users.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(
                subject=subject, email=f"{tag}@example.com", name=f"Buyer {tag}"
            ),
            metadata=self.md("user", Actor(subject=subject)),
            timeout=10,
        ).user
        if phone:
            user = self.users.UpdateUser(
                user_pb2.UpdateUserRequest(
                    id=user.id, phone=phone, sms_notifications=True
                ),
                metadata=self.md("user", Actor(user.id, subject)),
                timeout=10,
            )
        return user

    def new_product(self, stock: int, cents: int = 1500) -> Any:
        return self.products.CreateProduct(
            product_pb2.CreateProductRequest(
                name=f"Thing {uuid.uuid4().hex[:6]}",
                category="tests",
                price=money_pb2.Money(amount=cents, currency="USD"),
                stock=stock,
            ),
            metadata=self.md("product", ADMIN),
            timeout=10,
        )

    def place(self, user_id: str, product_id: str, qty: int, key: str = "") -> Any:
        return self.orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(
                user_id=user_id,
                items=[order_pb2.PlaceOrderItem(product_id=product_id, quantity=qty)],
                idempotency_key=key or uuid.uuid4().hex,
            ),
            metadata=self.md("order", Actor(user_id)),
            timeout=20,
        )

    def stock(self, product_id: str) -> int:
        return int(
            self.products.GetProduct(
                product_pb2.GetProductRequest(id=product_id),
                metadata=self.md("product"),
                timeout=10,
            ).stock
        )


@pytest.fixture(scope="module")
def shop(shared_env: dict[str, str]) -> Shop:
    return Shop(dapr_token("gateway"))


def mongo_stock(product_id: str) -> int:
    client = backends.mongo()
    try:
        doc = client["shop"]["products"].find_one({"_id": product_id})
        assert doc is not None
        return int(doc["stock"])
    finally:
        client.close()


def mysql_order(order_id: str) -> dict[str, Any] | None:
    conn = backends.mysql("shop_orders")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
            return cur.fetchone()  # type: ignore[no-any-return]
    finally:
        conn.close()


def kafka_events(
    topic: str, match: str, timeout_ms: int = 20000
) -> list[dict[str, Any]]:
    """CloudEvents on a Kafka topic whose JSON contains `match`."""
    consumer = backends.kafka_consumer(topic, timeout_ms)
    found = []
    try:
        for record in consumer:
            text = record.value.decode(errors="replace")
            if match in text:
                found.append(json.loads(text))
                break
    finally:
        consumer.close()
    return found


def sms_files(run_dir: Path, text: str) -> list[Path]:
    folder = run_dir / "sms"
    if not folder.exists():
        return []
    return [p for p in folder.iterdir() if text in p.read_text(errors="replace")]


def publish(shared_env: dict[str, str], topic: str, data: str, event_id: str) -> None:
    with dapr_client(shared_env, via="user") as client:
        client.publish_event(
            "pubsub",
            topic,
            data,
            data_content_type="application/json",
            publish_metadata=events.publish_metadata(event_id),
        )


def test_the_journey(shop: Shop, profile: str) -> None:
    user = shop.new_user(phone="+15550100001")
    eventually(lambda: mailpit_messages(f"to:{user.email}"), 60, what="welcome email")

    product = shop.new_product(stock=10)
    order = shop.place(user.id, product.id, 3)

    assert order.status in (order_pb2.PENDING, order_pb2.CONFIRMED)
    assert order.total.amount == 3 * 1500
    assert mongo_stock(product.id) == 7
    stored = mysql_order(order.id)
    assert stored is not None and stored["user_id"] == user.id
    if profile != "lite":
        assert kafka_events(topics.ORDER_CREATED, order.id), (
            "order-created not on Kafka"
        )

    def confirmation() -> list[dict[str, Any]]:
        return [
            m
            for m in mailpit_messages(f"to:{user.email}")
            if order.id in json.dumps(m) or order.id[:8] in m.get("Subject", "")
        ]

    found = eventually(confirmation, 60, what="order confirmation email")
    run_dir = Path(os.environ["DAPRSHOP_RUN_DIR"])
    eventually(lambda: sms_files(run_dir, order.id), 30, what="confirmation SMS")
    # exactly once, even after the subscribers had time to see redeliveries
    assert len(found) == 1


def test_fifty_concurrent_orders_never_oversell(shop: Shop) -> None:
    user = shop.new_user()
    product = shop.new_product(stock=10)

    def attempt(_: int) -> str:
        try:
            shop.place(user.id, product.id, 1)
            return "ok"
        except grpc.RpcError as err:
            return err.code().name

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("FAILED_PRECONDITION") == 40, outcomes
    assert shop.stock(product.id) == 0


def test_cancelling_restores_stock(shop: Shop) -> None:
    user = shop.new_user()
    product = shop.new_product(stock=5)
    order = shop.place(user.id, product.id, 2)
    assert shop.stock(product.id) == 3
    cancelled = shop.orders.CancelOrder(
        order_pb2.CancelOrderRequest(id=order.id, owner_id=user.id),
        metadata=shop.md("order", Actor(user.id)),
        timeout=20,
    )
    assert cancelled.status == order_pb2.CANCELLED
    assert shop.stock(product.id) == 5


def test_same_idempotency_key_makes_one_order(shop: Shop) -> None:
    user = shop.new_user()
    product = shop.new_product(stock=5)
    key = uuid.uuid4().hex
    first = shop.place(user.id, product.id, 1, key=key)
    second = shop.place(user.id, product.id, 1, key=key)
    assert first.id == second.id
    assert shop.stock(product.id) == 4


def test_bad_input_gets_precise_status_codes(shop: Shop) -> None:
    user = shop.new_user()
    with pytest.raises(grpc.RpcError) as err:
        shop.orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(user_id=user.id, items=[], idempotency_key="k"),
            metadata=shop.md("order", Actor(user.id)),
            timeout=10,
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "items" in (err.value.details() or "")
    with pytest.raises(grpc.RpcError) as err:
        shop.place(user.id, "no-such-product", 1)
    assert err.value.code() in (
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
    )
    with pytest.raises(grpc.RpcError) as err:
        shop.orders.GetOrder(
            order_pb2.GetOrderRequest(id="nope", owner_id=user.id),
            metadata=shop.md("order", Actor(user.id)),
            timeout=10,
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_same_event_twice_sends_one_email(shared_env: dict[str, str]) -> None:
    email = f"dup-{uuid.uuid4().hex[:8]}@example.com"
    payload = events.encode(
        events_pb2.UserCreated(
            user_id=uuid.uuid4().hex, email=email, name="Dup", email_notifications=True
        )
    )
    event_id = str(uuid.uuid4())
    publish(shared_env, topics.USER_CREATED, payload, event_id)
    publish(shared_env, topics.USER_CREATED, payload, event_id)
    eventually(lambda: mailpit_messages(f"to:{email}"), 60, what="welcome email")
    # a later, distinct event proves the duplicate had its chance to be processed
    marker = f"after-{uuid.uuid4().hex[:8]}@example.com"
    publish(
        shared_env,
        topics.USER_CREATED,
        events.encode(
            events_pb2.UserCreated(
                user_id="x", email=marker, name="After", email_notifications=True
            )
        ),
        str(uuid.uuid4()),
    )
    eventually(lambda: mailpit_messages(f"to:{marker}"), 60, what="later email")
    assert len(mailpit_messages(f"to:{email}")) == 1


def test_poison_event_goes_to_dead_letter_and_flow_continues(
    shared_env: dict[str, str], profile: str
) -> None:
    poison_id = str(uuid.uuid4())
    publish(shared_env, topics.USER_CREATED, '"not an object"', poison_id)
    email = f"next-{uuid.uuid4().hex[:8]}@example.com"
    publish(
        shared_env,
        topics.USER_CREATED,
        events.encode(
            events_pb2.UserCreated(
                user_id="y", email=email, name="Next", email_notifications=True
            )
        ),
        str(uuid.uuid4()),
    )
    eventually(lambda: mailpit_messages(f"to:{email}"), 90, what="email after poison")
    if profile != "lite":
        dead = kafka_events(topics.dead_letter(topics.USER_CREATED), poison_id, 30000)
        assert dead, "poison event not in the dead-letter topic"


def test_notification_restart_loses_no_email(shop: Shop, mesh: Any) -> None:
    user = shop.new_user()
    product = shop.new_product(stock=20)
    mesh.stop_one("notification")
    try:
        placed = [shop.place(user.id, product.id, 1) for _ in range(3)]
    finally:
        mesh.start_one("notification")
    for order in placed:
        eventually(
            lambda order=order: [
                m
                for m in mailpit_messages(f"to:{user.email}")
                if order.id in json.dumps(m)
            ],
            90,
            what=f"confirmation of {order.id} after restart",
        )
