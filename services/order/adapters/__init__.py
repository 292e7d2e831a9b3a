"""The order service's adapters, one module per port (see service.py's ports).

database: the MySQL schema and transaction helpers they share;
repository: orders and their outbox events (`OrderRepository`);
stock_releases: releases retried until product takes them (`PendingReleases`);
product_client: the product service through our sidecar (`Inventory`).
"""
