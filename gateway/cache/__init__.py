"""The product read cache: a near cache in each gateway process in front of
Redis (Dapr state store `cache`, over the sidecar's gRPC API)."""

from gateway.cache.catalog import (
    GENERATION_KEY,
    ProductCatalog,
    invalidation_listener,
    product_from_json,
    product_to_json,
)
from gateway.cache.near import NearCache
from gateway.cache.readthrough import ReadThroughCache
from gateway.cache.store import GrpcStateStore, StateStore, StateStoreError

__all__ = [
    "GENERATION_KEY",
    "GrpcStateStore",
    "NearCache",
    "ProductCatalog",
    "ReadThroughCache",
    "StateStore",
    "StateStoreError",
    "invalidation_listener",
    "product_from_json",
    "product_to_json",
]
