"""The users part of the GraphQL schema."""
