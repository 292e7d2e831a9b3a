"""The product service's adapters, one module per port (see service.py).

repository: products in MongoDB (FerretDB locally); events: cache-invalidation
hints published through the sidecar.
"""
