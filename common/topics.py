"""Topic names on the `pubsub` component; payloads are in protos/events/v1."""

# The CloudEvent `type` of every event we publish is its payload's full proto
# name; its package carries the schema version (common.events checks it).
EVENT_PACKAGE = "daprshop.events"
SCHEMA_VERSION = "v1"

USER_CREATED = "user-created"
ORDER_CREATED = "order-created"
ORDER_STATUS_CHANGED = "order-status-changed"
ORDER_NOTIFICATION = "order-notification"
PRODUCT_UPDATED = "product-updated"
STOCK_CHANGED = "stock-changed"

ALL = (
    USER_CREATED,
    ORDER_CREATED,
    ORDER_STATUS_CHANGED,
    ORDER_NOTIFICATION,
    PRODUCT_UPDATED,
    STOCK_CHANGED,
)

PAYLOADS = {
    USER_CREATED: "UserCreated",
    ORDER_CREATED: "OrderCreated",
    ORDER_STATUS_CHANGED: "OrderStatusChanged",
    ORDER_NOTIFICATION: "OrderNotification",
    PRODUCT_UPDATED: "ProductUpdated",
    STOCK_CHANGED: "StockChanged",
}


def event_type(topic: str) -> str:
    """The CloudEvent type published on `topic`, e.g. daprshop.events.v1.UserCreated."""
    return f"{EVENT_PACKAGE}.{SCHEMA_VERSION}.{PAYLOADS[topic]}"


def dead_letter(topic: str) -> str:
    """Where a subscriber's poison messages for `topic` end up."""
    return f"{topic}-dead-letter"
