"""Typed settings of the product service."""

from common.settings import ServiceSettings


class ProductSettings(ServiceSettings):
    app_id: str = "product"
    mongodb_url: str = "mongodb://127.0.0.1:17017/"
    mongodb_database: str = "shop"
    # With MONGODB_PASSWORD_SECRET set (prod-local, prod), MONGODB_URL names
    # the user but carries no password: the password is key
    # MONGODB_PASSWORD_KEY of that secret, read through the sidecar at start
    # (common/app_secrets.py). Empty (full, lite): MONGODB_URL as it is.
    mongodb_password_secret: str = ""
    mongodb_password_key: str = "password"
    # The Dapr lock store (lock.redis) around every stock change of a product,
    # across product processes; empty: none (only on a real MongoDB, whose
    # conditional update is atomic; FerretDB 1.x needs the lock).
    stock_lock_store: str = "lock"
    # How long a holder may keep a product's lock if it dies holding it.
    stock_lock_lease_seconds: int = 10
    # How long a stock change waits for the lock before UNAVAILABLE.
    stock_lock_wait_seconds: float = 3.0
    # A reservation not committed within this time is released by the sweep.
    reservation_ttl_seconds: float = 900.0
    # Seconds between passes of the expiry sweep (0: no sweep).
    reservation_sweep_interval: float = 30.0
