"""What every fault test needs: orders flowing at a bounded rate, emails counted
by event id in Mailpit, and the verdict line each test prints."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from common.caller import NOBODY, Actor
from devmesh import ports
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration.helpers import ADMIN, dapr_token, sidecar_channel

CONFIRMATION = "We received your order"


class Shop:
    """user, product and order, called through the gateway's sidecar."""

    def __init__(self) -> None:
        channel = sidecar_channel(via="gateway")
        self.users = user_pb2_grpc.UserServiceStub(channel)
        self.products = product_pb2_grpc.ProductServiceStub(channel)
        self.orders = order_pb2_grpc.OrderServiceStub(channel)
        self._token = dapr_token("gateway")

    def md(self, app: str, actor: Actor = NOBODY) -> tuple[tuple[str, str], ...]:
        """Through the gateway's sidecar, as the gateway acting for `actor`."""
        return (
            ("dapr-app-id", app),
            ("dapr-api-token", self._token),
            *actor.metadata(),
        )

    def new_user(self, domain: str = "example.com") -> Any:
        tag = uuid.uuid4().hex[:10]
        subject = f"faults|{tag}"
        return self.users.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(
                subject=subject, email=f"{tag}@{domain}", name=f"F {tag}"
            ),
            metadata=self.md("user", Actor(subject=subject)),
            timeout=10,
        ).user

    def new_product(self, stock: int) -> Any:
        return self.products.CreateProduct(
            product_pb2.CreateProductRequest(
                name=f"Fault {uuid.uuid4().hex[:6]}",
                category="faults",
                price=money_pb2.Money(amount=700, currency="USD"),
                stock=stock,
            ),
            metadata=self.md("product", ADMIN),
            timeout=10,
        )

    def place(self, user_id: str, product_id: str) -> str:
        return str(
            self.orders.PlaceOrder(
                order_pb2.PlaceOrderRequest(
                    user_id=user_id,
                    items=[order_pb2.PlaceOrderItem(product_id=product_id, quantity=1)],
                    idempotency_key=uuid.uuid4().hex,
                ),
                metadata=self.md("order", Actor(user_id=user_id)),
                timeout=30,
            ).id
        )


@dataclass
class Flow:
    """N orders by one buyer, placed by a few workers at a bounded rate."""

    shop: Shop
    n: int
    rate: float = 25.0  # orders per second, at most
    placed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.user = self.shop.new_user()
        self.product = self.shop.new_product(stock=self.n + 10)

    def start(self) -> Flow:
        threading.Thread(target=self._run, name="flow", daemon=True).start()
        return self

    def _run(self) -> None:
        def one(i: int) -> None:
            time.sleep(max(0.0, i / self.rate - (time.monotonic() - began)))
            try:
                self.placed.append(self.shop.place(self.user.id, self.product.id))
            except Exception as err:  # counted and reported by join()
                self.errors.append(repr(err))

        began = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(one, range(self.n)))
        self._done.set()

    def wait_placed(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.placed) + len(self.errors) < count:
            assert time.monotonic() < deadline, f"only {len(self.placed)} placed"
            time.sleep(0.1)

    def join(self, timeout: float = 120) -> None:
        assert self._done.wait(timeout), "orders still being placed"
        assert not self.errors, f"placing orders failed: {self.errors[:3]}"


def mailpit(path: str) -> Any:
    url = f"http://127.0.0.1:{ports.load().mailpit_http}/api/v1/{path}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def emails_to(address: str, subject: str = "") -> Counter[str]:
    """Message-IDs (one per event id) of the emails to `address`, counted."""
    query = urllib.parse.quote(f"to:{address}")
    found: Counter[str] = Counter()
    start = 0
    while True:
        page = mailpit(f"search?query={query}&limit=500&start={start}")
        messages = page.get("messages") or []
        for m in messages:
            if subject in m.get("Subject", ""):
                found[m["MessageID"]] += 1
        start += len(messages)
        if not messages or start >= page.get("messages_count", 0):
            return found


def wait_for_emails(
    address: str, count: int, timeout: float, subject: str = CONFIRMATION
) -> Counter[str]:
    """Until `count` distinct emails arrived (or the timeout), then a settle
    period in which a late duplicate would show up."""
    deadline = time.monotonic() + timeout
    while len(emails_to(address, subject)) < count:
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    time.sleep(5)
    return emails_to(address, subject)


def verdict(label: str, sent: int, emails: Counter[str], extra: str = "") -> str:
    emailed = len(emails)
    duplicated = sum(c - 1 for c in emails.values())
    line = (
        f"{label}: sent={sent} emailed={emailed} lost={sent - emailed}"
        f" duplicated={duplicated}{(' ' + extra) if extra else ''}"
    )
    print("\n" + line, flush=True)
    return line
