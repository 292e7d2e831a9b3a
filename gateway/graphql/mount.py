"""Puts GraphQL on an app: the hardened schema (limits from the settings,
introspection and GraphiQL only outside prod) at `/graphql`, and GraphiQL's
local browser files when the bootstrap made them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway import graphiql
from gateway.config import GatewaySettings
from gateway.graphql.context import get_context
from gateway.graphql.router import build_router
from gateway.graphql.schema import SchemaLimits, build_schema

GRAPHQL_PATH = "/graphql"


def mount_graphql(app: FastAPI, settings: GatewaySettings) -> None:
    schema = build_schema(
        SchemaLimits(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_tokens=settings.graphql_max_tokens,
            introspection=not settings.is_prod,
            suggestions=not settings.is_prod,
        )
    )
    local_ide = not settings.is_prod and graphiql.usable(settings.graphiql_assets)
    if local_ide:
        app.mount(
            graphiql.ASSETS_PATH,
            StaticFiles(directory=str(settings.graphiql_assets)),
            name="graphiql",
        )
    app.include_router(
        build_router(
            schema,
            get_context,
            graphiql=not settings.is_prod,
            local_ide=local_ide,
            allowed_origins=settings.cors_origins,
        ),
        prefix=GRAPHQL_PATH,
    )
