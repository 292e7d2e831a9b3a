"""Typed settings of the cart service."""

from pydantic import Field

from common import components
from common.settings import ServiceSettings


class CartSettings(ServiceSettings):
    app_id: str = "cart"
    # The Dapr state store carts live in (one key per user).
    cart_store: str = components.CARTS
    # Seconds an untouched cart lives; every change starts the clock again.
    cart_ttl_seconds: int = Field(default=14 * 86400, ge=60)
    # The most units of one product a cart may hold.
    max_line_quantity: int = Field(default=10, ge=1)
    # The app id products are looked up on (through our sidecar).
    product_app_id: str = "product"
