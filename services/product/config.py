"""Typed settings of the product service."""

from common.settings import ServiceSettings


class ProductSettings(ServiceSettings):
    app_id: str = "product"
    mongodb_url: str = "mongodb://127.0.0.1:17017/"
    mongodb_database: str = "shop"
    # Serialize stock updates per product in-process (needed on FerretDB).
    serialize_stock_updates: bool = True
