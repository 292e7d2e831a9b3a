"""The GraphQL API at /graphql: schema per domain (users, products, orders),
composed in `schema.py`, served by `router.py`, context in `context.py`."""
