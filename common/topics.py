"""Topic names on the `pubsub` component; payloads are in protos/events/v1."""

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


def dead_letter(topic: str) -> str:
    """Where a subscriber's poison messages for `topic` end up."""
    return f"{topic}-dead-letter"
