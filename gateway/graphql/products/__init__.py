"""The products part of the GraphQL schema."""
