"""The shop's only door: GraphQL at /graphql, OIDC login at /auth, beside its
own Dapr sidecar (calls through gRPC proxying, a product cache in Dapr state,
events through dapr-ext-fastapi). `python -m gateway` serves it."""
