"""Typed settings of the order service."""

from common.settings import MySQLSettings, OutboxSettings, ServiceSettings


class OrderSettings(ServiceSettings, OutboxSettings, MySQLSettings):
    app_id: str = "order"
    mysql_database: str = "shop_orders"
    # The app id stock is reserved on (through our sidecar).
    product_app_id: str = "product"
    # Seconds between passes of the worker that retries failed stock releases.
    release_retry_interval: float = 5.0
