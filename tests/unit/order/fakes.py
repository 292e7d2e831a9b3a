"""In-memory stand-ins for the order service's ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.order.domain import (
    DuplicateOrder,
    Money,
    Order,
    OrderNotFound,
    OutOfStock,
    ProductNotFound,
    Reservation,
    ReservationLost,
    StatusChange,
    StockRelease,
    Unavailable,
)
from services.order.paging import Cursor
from services.order.service import OrderService


@dataclass
class Product:
    name: str
    price: Money
    stock: int


@dataclass
class Held:
    """A reservation as product keeps it: its product, quantity and state."""

    product_id: str
    quantity: int
    state: str  # reserved, committed, released


class FakeInventory:
    """Product's side: stock and reservations keyed by id (idempotent calls).

    `lose_answers` applies a reserve but raises Unavailable as a timeout would.
    """

    def __init__(self) -> None:
        self.products: dict[str, Product] = {}
        self.reservations: dict[str, Held] = {}
        self.down = False
        self.release_down = False
        self.commit_down = False
        self.lose_answers = False

    def add(self, product_id: str, stock: int, cents: int = 1000, cur: str = "USD"):
        self.products[product_id] = Product(
            f"Product {product_id}", Money(cents, cur), stock
        )

    def stock(self, product_id: str) -> int:
        return self.products[product_id].stock

    def states(self) -> dict[str, str]:
        return {rid: held.state for rid, held in self.reservations.items()}

    def reserve(
        self, reservation_id: str, product_id: str, quantity: int
    ) -> Reservation:
        if self.down:
            raise Unavailable("product service")
        product = self.products.get(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        held = self.reservations.get(reservation_id)
        if held is None:
            if product.stock < quantity:
                raise OutOfStock(product_id, quantity, product.stock)
            product.stock -= quantity
            self.reservations[reservation_id] = Held(product_id, quantity, "reserved")
        elif held.state == "released":
            raise OutOfStock(product_id, quantity, None)
        if self.lose_answers:
            raise Unavailable("product service", "DEADLINE_EXCEEDED")
        return Reservation(
            product_id, quantity, product.name, product.price, reservation_id
        )

    def commit(self, reservation_id: str, product_id: str) -> None:
        if self.down or self.commit_down:
            raise Unavailable("product service")
        held = self.reservations.get(reservation_id)
        if held is None or held.state == "released":
            raise ReservationLost(reservation_id)
        held.state = "committed"

    def release(self, reservation_id: str, product_id: str) -> None:
        if self.down or self.release_down:
            raise Unavailable("product service")
        product = self.products.get(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        held = self.reservations.setdefault(
            reservation_id, Held(product_id, 0, "released")
        )
        if held.state != "released":
            product.stock += held.quantity
            held.state = "released"


@dataclass
class Pending:
    order_id: str | None
    release: StockRelease
    reason: str
    action: str = "release"


class FakeRepository:
    """Orders, their events and pending releases; each change is all or nothing."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.events: list[tuple[str, object]] = []
        self.pending: list[Pending] = []
        self.down = False
        # Runs just before `add` stores its order (to simulate a racing call).
        self.before_add: Callable[[], None] | None = None

    def _check(self) -> None:
        if self.down:
            raise Unavailable("order database")

    def get(self, order_id: str) -> Order | None:
        self._check()
        return self.orders.get(order_id)

    def find_by_key(self, user_id: str, idempotency_key: str) -> Order | None:
        self._check()
        for order in self.orders.values():
            if (order.user_id, order.idempotency_key) == (user_id, idempotency_key):
                return order
        return None

    def add(self, order: Order) -> None:
        if self.before_add:
            hook, self.before_add = self.before_add, None
            hook()
        self._check()
        if self.find_by_key(order.user_id, order.idempotency_key):
            raise DuplicateOrder(order.user_id, order.idempotency_key)
        self.orders[order.id] = order
        self.events.append(("order-created", order))
        self.pending += [
            Pending(
                order.id,
                StockRelease(line.product_id, line.quantity, line.reservation_id),
                "order placed",
                "commit",
            )
            for line in order.lines
        ]

    def list_for_user(
        self, user_id: str, limit: int, after: Cursor | None, backward: bool = False
    ) -> list[Order]:
        self._check()
        mine = sorted(
            (o for o in self.orders.values() if o.user_id == user_id),
            key=lambda o: (o.created_at, o.id),
            reverse=not backward,
        )
        if after:
            position = (after.created_at, after.order_id)
            mine = [
                o
                for o in mine
                if ((o.created_at, o.id) >= position)
                == backward  # backward: the cursor's own order too
            ]
        return mine[:limit]

    def change_status(
        self, order_id: str, decide: Callable[[Order], StatusChange]
    ) -> StatusChange:
        self._check()
        order = self.orders.get(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        change = decide(order)
        if change.changed:
            self.orders[order_id] = change.after
            self.events.append(("order-status-changed", change))
            self.pending += [Pending(order_id, r, "cancelled") for r in change.releases]
        return change


class FakeReleases:
    def __init__(self, repo: FakeRepository, inventory: FakeInventory) -> None:
        self._repo = repo
        self._inventory = inventory
        self.down = False

    def _try(self, rows: list[Pending]) -> None:
        for row in rows:
            action = (
                self._inventory.commit
                if row.action == "commit"
                else self._inventory.release
            )
            try:
                action(row.release.reservation_id, row.release.product_id)
            except Unavailable:
                continue
            except ReservationLost:
                pass  # logged and dropped, as the worker does
            self._repo.pending.remove(row)

    def process(self, order_id: str) -> None:
        self._try([p for p in self._repo.pending if p.order_id == order_id])

    def retry_all(self) -> None:
        self._try(list(self._repo.pending))

    def defer(self, releases: list[StockRelease], reason: str) -> None:
        if self.down:
            raise Unavailable("order database")
        self._repo.pending += [Pending(None, r, reason) for r in releases]


@dataclass
class World:
    repo: FakeRepository = field(default_factory=FakeRepository)
    inventory: FakeInventory = field(default_factory=FakeInventory)

    def __post_init__(self) -> None:
        self.releases = FakeReleases(self.repo, self.inventory)
        counter = iter(range(1, 10**6))
        self.service = OrderService(
            self.repo,
            self.inventory,
            self.releases,
            new_id=lambda: f"order-{next(counter):04d}",
        )
