"""The orders part of the GraphQL schema."""
