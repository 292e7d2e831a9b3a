"""The cart service's adapters, one module per port (see service.py).

store: carts in the `carts` Dapr state store (ETags, TTL); catalog: product
existence and stock, asked of the product service through our sidecar.
"""
