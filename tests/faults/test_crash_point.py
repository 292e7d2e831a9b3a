"""F8: the order app dies between committing an order (with its order-created
event in the outbox) and publishing the event: the test-only crash point
`after-commit` (common/crash_point.py), armed on the fault mesh, fires for an
order whose idempotency key asks for it.

`devmesh run order` restarts the app; its outbox relay finds the event still
undelivered and publishes it. The client, told UNAVAILABLE, retries with the
same key and gets the same order. The event reaches Kafka once, the buyer
gets one email, and the order's stock commit (stored with the order) is done
by the restarted app's worker.
"""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from common import crash_point, topics
from common.caller import Actor
from protos.order.v1 import order_pb2
from tests.faults.broker import orders_published
from tests.faults.orders_db import orders_of, outbox_rows, seconds
from tests.faults.outcomes import outcome
from tests.faults.shop import Shop, verdict, wait_for_emails
from tests.faults.stock import settled
from tests.faults.test_crashes import APP, wait_restarted
from tests.integration.helpers import eventually

pytestmark = pytest.mark.faults


def place(shop: Shop, user_id: str, product_id: str, key: str) -> str:
    return str(
        shop.orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(
                user_id=user_id,
                items=[order_pb2.PlaceOrderItem(product_id=product_id, quantity=1)],
                idempotency_key=key,
            ),
            metadata=shop.md("order", Actor(user_id=user_id)),
            timeout=30,
        ).id
    )


def retried(shop: Shop, user_id: str, product_id: str, key: str) -> str | None:
    try:
        return place(shop, user_id, product_id, key)
    except grpc.RpcError:
        return None


def test_f8_order_crash_after_commit_publishes_the_event_once(
    mesh: Any, profile: str, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    user = shop.new_user()
    product = shop.new_product(stock=5).id
    key = f"{crash_point.TRIGGER}{uuid.uuid4().hex}"
    victim = mesh.pids("order")[APP]
    with pytest.raises(grpc.RpcError) as crashed:
        place(shop, user.id, product, key)
    wait_restarted(mesh, "order", APP, victim)
    order_id = eventually(
        lambda: retried(shop, user.id, product, key), 60, what="the retry answered"
    )
    stored = orders_of(shared_env, user.id)
    row = eventually(
        lambda: [r for r in outbox_rows(shared_env, {order_id}) if r["published_at"]],
        60,
        what="order-created delivered",
    )[0]
    emails = wait_for_emails(user.email, 1, timeout=90)
    on_broker = orders_published(profile, topics.ORDER_CREATED, {order_id})
    figures = settled(shared_env, product, timeout=60)
    delay = seconds(row["published_at"], row["created_at"])
    line = verdict(
        "F8 order app crash after commit, before publish",
        1,
        emails,
        f"client_saw={outcome(crashed.value)} retry_same_order="
        f"{[o.id for o in stored] == [order_id]}"
        f" published_after_commit={delay:.1f}s"
        f" on_broker={sum(on_broker.values())} sold={figures.sold}",
    )
    assert "lost=0 duplicated=0" in line
    assert [o.id for o in stored] == [order_id], stored
    assert stored[0].created_events == 1 and stored[0].commits == 1, stored
    assert list(on_broker.values()) == [1] and row["event_id"] in on_broker, line
    assert figures.sold == 1 and figures.holds, figures
    assert "order" not in mesh.exited()
