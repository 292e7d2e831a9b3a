"""Typed async clients for the user, product and order services.

Every call goes to the gateway's own sidecar over one long-lived `grpc.aio`
channel, with `dapr-app-id` naming the target (Dapr's gRPC proxying), the
sidecar's API token, the caller's `traceparent` and an explicit timeout.

Generated proto types stay in this module: callers get the frozen dataclasses
below, and gRPC status codes become the `ServiceError` subclasses below
(`error_from_rpc`), which the GraphQL layer maps onto its typed errors.
"""

from __future__ import annotations

import contextvars
import enum
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc

T = TypeVar("T")
R = TypeVar("R")

# The W3C trace context of the request being served, forwarded on every call so
# Dapr links the services' spans (and logs) to the gateway's request.
current_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_traceparent", default=None
)


# --- what the services answer -------------------------------------------------


@dataclass(frozen=True)
class Money:
    """Integer minor units (cents) and an ISO 4217 code."""

    amount: int
    currency: str


@dataclass(frozen=True)
class User:
    id: str
    subject: str
    email: str
    name: str
    phone: str
    email_notifications: bool = True
    sms_notifications: bool = False


@dataclass(frozen=True)
class UserChanges:
    """Only the fields that are not None change."""

    name: str | None = None
    phone: str | None = None
    email_notifications: bool | None = None
    sms_notifications: bool | None = None


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str
    category: str
    price: Money
    stock: int


@dataclass(frozen=True)
class ProductDraft:
    name: str
    description: str
    category: str
    price: Money
    stock: int


@dataclass(frozen=True)
class ProductChanges:
    """Only the fields that are not None change."""

    name: str | None = None
    description: str | None = None
    category: str | None = None
    price: Money | None = None
    stock: int | None = None


@dataclass(frozen=True)
class ProductFilter:
    category: str = ""
    min_price: int | None = None
    max_price: int | None = None
    search: str = ""


class OrderStatus(enum.Enum):
    """Values are the proto enum numbers."""

    PENDING = 1
    CONFIRMED = 2
    SHIPPED = 3
    DELIVERED = 4
    CANCELLED = 5


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Money
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class LineRequest:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str = ""


# --- what can go wrong ---------------------------------------------------------


class ServiceError(Exception):
    """A call to a service failed in a way the caller may handle."""


class NotFound(ServiceError):
    pass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class InvalidArgument(ServiceError):
    def __init__(self, problems: Sequence[FieldProblem], message: str = "") -> None:
        super().__init__(
            message or "; ".join(f"{p.field}: {p.message}" for p in problems)
        )
        self.problems = list(problems)


class OutOfStock(ServiceError):
    def __init__(
        self,
        product_id: str,
        requested: int | None = None,
        available: int | None = None,
        message: str = "",
    ) -> None:
        super().__init__(message or f"product {product_id} is out of stock")
        self.product_id = product_id
        self.requested = requested
        self.available = available


class FailedPrecondition(ServiceError):
    """The request conflicts with the current state (e.g. an illegal transition)."""


class Unavailable(ServiceError):
    """The service (or its sidecar) cannot serve the call now; retry later."""


class UnexpectedServiceError(Exception):
    """Anything else: a bug somewhere. Not for callers to handle (it is masked)."""


_FIELD = re.compile(r"^[A-Za-z_][\w.\[\]]*$")
_OUT_OF_STOCK_ID = re.compile(r"product (?P<id>[^\s:]+)(?::| is out of stock)")
_STOCK_COUNTS = re.compile(r"(?P<requested>\d+) requested, (?P<available>\d+) in stock")
_UNAVAILABLE_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.CANCELLED,
    }
)


def camel_case(path: str) -> str:
    """`min_price` -> `minPrice`, segment by segment; camelCase stays as it is."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)


def field_problem(details: str) -> FieldProblem:
    """The services write `<field>: <message>` (see their ValidationError)."""
    name, sep, message = details.partition(": ")
    if sep and _FIELD.match(name):
        return FieldProblem(camel_case(name), message)
    return FieldProblem("", details)


def error_from_rpc(err: grpc.RpcError) -> Exception:
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = (err.details() if hasattr(err, "details") else "") or ""
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(details)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument([field_problem(details)], details)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        counts = _STOCK_COUNTS.search(details)
        product = _OUT_OF_STOCK_ID.search(details)
        if product and (counts or "out of stock" in details):
            return OutOfStock(
                product.group("id"),
                int(counts.group("requested")) if counts else None,
                int(counts.group("available")) if counts else None,
                details,
            )
        return FailedPrecondition(details)
    if code in _UNAVAILABLE_CODES:
        return Unavailable(details or code.name)
    return UnexpectedServiceError(f"{code.name}: {details}")


# --- conversions -----------------------------------------------------------------


def _money(message: money_pb2.Money) -> Money:
    return Money(message.amount, message.currency)


def _money_proto(money: Money) -> money_pb2.Money:
    return money_pb2.Money(amount=money.amount, currency=money.currency)


def _datetime(stamp: Timestamp) -> datetime:
    moment: datetime = stamp.ToDatetime(tzinfo=UTC)
    return moment


def _user(message: user_pb2.User) -> User:
    return User(
        id=message.id,
        subject=message.subject,
        email=message.email,
        name=message.name,
        phone=message.phone,
        email_notifications=message.preferences.email,
        sms_notifications=message.preferences.sms,
    )


def _product(message: product_pb2.Product) -> Product:
    return Product(
        id=message.id,
        name=message.name,
        description=message.description,
        category=message.category,
        price=_money(message.price),
        stock=message.stock,
    )


def _order(message: order_pb2.Order) -> Order:
    return Order(
        id=message.id,
        user_id=message.user_id,
        status=OrderStatus(message.status),
        lines=tuple(
            OrderLine(
                product_id=item.product_id,
                product_name=item.product_name,
                quantity=item.quantity,
                unit_price=_money(item.unit_price),
            )
            for item in message.items
        ),
        total=_money(message.total),
        created_at=_datetime(message.created_at),
        updated_at=_datetime(message.updated_at),
    )


# --- the ports the GraphQL layer uses ---------------------------------------------


class UserClient(Protocol):
    async def get_or_create(self, subject: str, email: str, name: str) -> User: ...
    async def get(self, user_id: str) -> User: ...
    async def batch_get(self, ids: Sequence[str]) -> list[User]: ...
    async def update(self, user_id: str, changes: UserChanges) -> User: ...


class ProductClient(Protocol):
    async def get(self, product_id: str) -> Product: ...
    async def batch_get(self, ids: Sequence[str]) -> list[Product]: ...
    async def list(
        self, flt: ProductFilter, page_size: int, page_token: str
    ) -> Page[Product]: ...
    async def create(self, draft: ProductDraft) -> Product: ...
    async def update(self, product_id: str, changes: ProductChanges) -> Product: ...


class OrderClient(Protocol):
    async def place(
        self, user_id: str, lines: Sequence[LineRequest], idempotency_key: str
    ) -> Order: ...
    async def get(self, order_id: str, owner_id: str = "") -> Order: ...
    async def list_for_user(
        self, user_id: str, page_size: int, page_token: str
    ) -> Page[Order]: ...
    async def update_status(self, order_id: str, status: OrderStatus) -> Order: ...
    async def cancel(self, order_id: str, owner_id: str) -> Order: ...


# --- the gRPC implementations --------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """How to reach one app through our sidecar."""

    app_id: str
    dapr_api_token: str | None = None
    timeout: float = 5.0
    extra_metadata: tuple[tuple[str, str], ...] = field(default=())

    def metadata(self) -> tuple[tuple[str, str], ...]:
        entries = [("dapr-app-id", self.app_id), *self.extra_metadata]
        if self.dapr_api_token:
            entries.append(("dapr-api-token", self.dapr_api_token))
        traceparent = current_traceparent.get()
        if traceparent:
            entries.append(("traceparent", traceparent))
        return tuple(entries)

    async def call(self, rpc: Callable[..., Awaitable[R]], request: object) -> R:
        """One unary call through the sidecar; failures become domain errors."""
        try:
            return await rpc(request, metadata=self.metadata(), timeout=self.timeout)
        except grpc.RpcError as err:
            raise error_from_rpc(err) from err


def sidecar_channel(address: str) -> grpc.aio.Channel:
    """The one channel to our sidecar, for every call to every service."""
    return grpc.aio.insecure_channel(
        address,
        options=[
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
        ],
    )


class GrpcUserClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = user_pb2_grpc.UserServiceStub(channel)  # type: ignore[no-untyped-call]
        self._call = invocation

    async def get_or_create(self, subject: str, email: str, name: str) -> User:
        request = user_pb2.GetOrCreateUserRequest(
            subject=subject, email=email, name=name
        )
        response = await self._call.call(self._stub.GetOrCreateUser, request)
        return _user(response.user)

    async def get(self, user_id: str) -> User:
        response = await self._call.call(
            self._stub.GetUser, user_pb2.GetUserRequest(id=user_id)
        )
        return _user(response)

    async def batch_get(self, ids: Sequence[str]) -> list[User]:
        response = await self._call.call(
            self._stub.BatchGetUsers, user_pb2.BatchGetUsersRequest(ids=list(ids))
        )
        return [_user(user) for user in response.users]

    async def update(self, user_id: str, changes: UserChanges) -> User:
        request = user_pb2.UpdateUserRequest(id=user_id)
        if changes.name is not None:
            request.name = changes.name
        if changes.phone is not None:
            request.phone = changes.phone
        if changes.email_notifications is not None:
            request.email_notifications = changes.email_notifications
        if changes.sms_notifications is not None:
            request.sms_notifications = changes.sms_notifications
        response = await self._call.call(self._stub.UpdateUser, request)
        return _user(response)


class GrpcProductClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]
        self._call = invocation

    async def get(self, product_id: str) -> Product:
        response = await self._call.call(
            self._stub.GetProduct, product_pb2.GetProductRequest(id=product_id)
        )
        return _product(response)

    async def batch_get(self, ids: Sequence[str]) -> list[Product]:
        response = await self._call.call(
            self._stub.BatchGetProducts,
            product_pb2.BatchGetProductsRequest(ids=list(ids)),
        )
        return [_product(product) for product in response.products]

    async def list(
        self, flt: ProductFilter, page_size: int, page_token: str
    ) -> Page[Product]:
        request = product_pb2.ListProductsRequest(
            page_size=page_size,
            page_token=page_token,
            category=flt.category,
            search=flt.search,
        )
        if flt.min_price is not None:
            request.min_price = flt.min_price
        if flt.max_price is not None:
            request.max_price = flt.max_price
        response = await self._call.call(self._stub.ListProducts, request)
        return Page(
            [_product(product) for product in response.products],
            response.next_page_token,
        )

    async def create(self, draft: ProductDraft) -> Product:
        request = product_pb2.CreateProductRequest(
            name=draft.name,
            description=draft.description,
            category=draft.category,
            price=_money_proto(draft.price),
            stock=draft.stock,
        )
        response = await self._call.call(self._stub.CreateProduct, request)
        return _product(response)

    async def update(self, product_id: str, changes: ProductChanges) -> Product:
        request = product_pb2.UpdateProductRequest(id=product_id)
        if changes.name is not None:
            request.name = changes.name
        if changes.description is not None:
            request.description = changes.description
        if changes.category is not None:
            request.category = changes.category
        if changes.price is not None:
            request.price.CopyFrom(_money_proto(changes.price))
        if changes.stock is not None:
            request.stock = changes.stock
        response = await self._call.call(self._stub.UpdateProduct, request)
        return _product(response)


class GrpcOrderClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = order_pb2_grpc.OrderServiceStub(channel)  # type: ignore[no-untyped-call]
        self._call = invocation

    async def place(
        self, user_id: str, lines: Sequence[LineRequest], idempotency_key: str
    ) -> Order:
        request = order_pb2.PlaceOrderRequest(
            user_id=user_id,
            items=[
                order_pb2.PlaceOrderItem(
                    product_id=line.product_id, quantity=line.quantity
                )
                for line in lines
            ],
            idempotency_key=idempotency_key,
        )
        response = await self._call.call(self._stub.PlaceOrder, request)
        return _order(response)

    async def get(self, order_id: str, owner_id: str = "") -> Order:
        response = await self._call.call(
            self._stub.GetOrder,
            order_pb2.GetOrderRequest(id=order_id, owner_id=owner_id),
        )
        return _order(response)

    async def list_for_user(
        self, user_id: str, page_size: int, page_token: str
    ) -> Page[Order]:
        request = order_pb2.ListOrdersRequest(
            user_id=user_id, page_size=page_size, page_token=page_token
        )
        response = await self._call.call(self._stub.ListOrders, request)
        return Page(
            [_order(order) for order in response.orders], response.next_page_token
        )

    async def update_status(self, order_id: str, status: OrderStatus) -> Order:
        request = order_pb2.UpdateOrderStatusRequest(id=order_id, status=status.name)
        response = await self._call.call(self._stub.UpdateOrderStatus, request)
        return _order(response)

    async def cancel(self, order_id: str, owner_id: str) -> Order:
        response = await self._call.call(
            self._stub.CancelOrder,
            order_pb2.CancelOrderRequest(id=order_id, owner_id=owner_id),
        )
        return _order(response)
