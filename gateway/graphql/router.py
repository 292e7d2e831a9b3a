"""/graphql over HTTP (GET for queries only, POST) and graphql-transport-ws.

- Request-level failures strawberry answers in plain text (malformed JSON, a
  mutation over GET, ...) are answered as GraphQL-shaped JSON with the same
  status (400/404/405), never a 500.
- Websockets carry subscriptions only (queries and mutations go over HTTP,
  where they are rate limited per operation). The connection is authenticated
  by the `connection_init` payload `{"Authorization": "Bearer <token>"}` and
  charged one query on the caller's bucket.
- Automatic persisted queries: the hash is resolved before the rate-limit
  charge (gateway.graphql.caller); the view runs the document it stands for.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from cross_web import HTTPException as StrawberryHTTPException
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from graphql import GraphQLError
from starlette.background import BackgroundTasks
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    SubscribeMessage,
)

from gateway.admission import peer_address
from gateway.auth import AuthHTTPError, authenticate
from gateway.graphiql import localize, with_examples
from gateway.graphql.context import GatewayContext
from gateway.graphql.schema import GatewaySchema
from gateway.ratelimit import RateLimiterDown, identity_key, operation_type

log = logging.getLogger(__name__)

_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def connection_token(params: object) -> str | None:
    """The bearer token of a `connection_init` payload, whatever the key's case."""
    if not isinstance(params, dict):
        return None
    for key, value in params.items():
        if str(key).lower() == "authorization" and isinstance(value, str):
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class SubscriptionsOnlyHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message.get("payload") or {}
        query = payload.get("query") if isinstance(payload, dict) else None
        name = payload.get("operationName") if isinstance(payload, dict) else None
        if isinstance(query, str) and self.connection_acknowledged:
            kind = operation_type(query, name if isinstance(name, str) else None)
            if kind in ("query", "mutation"):
                error = GraphQLError(
                    "Only subscriptions are served over websocket; "
                    "send queries and mutations over HTTP.",
                    extensions={"code": "BAD_REQUEST"},
                )
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [error.formatted]}
                )
                return
        await super().handle_subscribe(message)


class GatewayGraphQLRouter(GraphQLRouter[GatewayContext, None]):
    graphql_transport_ws_handler_class = SubscriptionsOnlyHandler
    # Serve GraphiQL's files from the gateway (see gateway/graphiql.py).
    local_ide = False

    def serve_http_directly(
        self, context_getter: Callable[[Request], Awaitable[GatewayContext]]
    ) -> None:
        """Replace strawberry's GET and POST endpoints by `serve_http`, which
        awaits `context_getter` itself: theirs make FastAPI solve four nested
        dependencies per request (context, its getter, background tasks,
        response, root value) to the same end."""
        for i, route in enumerate(self.routes):
            methods = sorted(route.methods or ()) if isinstance(route, APIRoute) else []
            if isinstance(route, APIRoute) and methods in (["GET"], ["POST"]):
                self.routes[i] = APIRoute(
                    route.path,
                    self.serve_http,
                    methods=methods,
                    include_in_schema=False,
                )
        self._http_context = context_getter

    async def serve_http(self, request: Request) -> Response:
        # What strawberry's endpoints give the view: a sub-response whose
        # status and headers resolvers may set, and the context's request
        # fields; background tasks run after the response, as FastAPI does.
        sub_response = Response()
        del sub_response.headers["content-length"]
        sub_response.status_code = None  # type: ignore[assignment]
        tasks = BackgroundTasks()
        context = await self._http_context(request)
        context.request = request
        context.background_tasks = tasks
        context.response = sub_response
        self.temporal_response = sub_response
        response: Response = await self.run(request, context=context, root_value=None)
        if tasks.tasks and response.background is None:
            response.background = tasks
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        html = with_examples(self.graphql_ide_html)
        return HTMLResponse(localize(html) if self.local_ide else html)

    async def run(
        self,
        request: Request | WebSocket,
        context: Any = None,
        root_value: Any = None,
    ) -> Any:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except StrawberryHTTPException as err:
            return _error_response(err.status_code, err.reason)
        except UnicodeDecodeError:  # strawberry lets this one through as a 500
            return _error_response(400, "Unable to parse request body as JSON")

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET carrying only an APQ hash is an operation, not a page visit.
        if request.query_params.get("extensions") is not None:
            return False
        return bool(super().should_render_graphql_ide(request))

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: GatewayContext,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        # The document an APQ hash stood for (resolved by graphql_caller).
        document = getattr(request.state, "persisted_query", None)
        if isinstance(document, str) and isinstance(request_data, GraphQLRequestData):
            request_data = dataclasses.replace(request_data, query=document)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def on_ws_connect(self, context: GatewayContext) -> None:
        token = connection_token(context.connection_params)
        if token is None:
            raise ConnectionRejectionError()
        services = context.services
        try:
            principal = await authenticate(token, services.verifier)
        except AuthHTTPError as err:
            log.info("websocket refused: %s", err.description)
            raise ConnectionRejectionError() from err
        if principal is None:
            raise ConnectionRejectionError()
        if services.limiter is not None and context.request is not None:
            address = peer_address(context.request, services)
            try:
                decision = await services.limiter.hit(
                    services.rules.graphql_queries,
                    identity_key(principal.subject, address),
                    services.settings.rate_limit_query_cost,
                )
            except RateLimiterDown as err:
                raise ConnectionRejectionError() from err
            if decision is not None and not decision.allowed:
                raise ConnectionRejectionError()
        context.principal = principal


def _error_response(status: int, reason: str) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": reason,
                    "extensions": {"code": _HTTP_CODES.get(status, "BAD_REQUEST")},
                }
            ]
        },
        status_code=status,
    )


def build_router(
    schema: GatewaySchema,
    context_getter: Any,
    graphiql: bool,
    local_ide: bool = False,
    allowed_origins: tuple[str, ...] = (),
) -> GatewayGraphQLRouter:
    """`allowed_origins`: the browser origins (besides the gateway's own) whose
    pages may open a subscription socket: the CORS origins. Others are refused
    (cross-site WebSocket hijacking)."""
    router = GatewayGraphQLRouter(
        schema,
        graphql_ide="graphiql" if graphiql else None,
        # Queries may use GET (cacheable links); strawberry refuses mutations
        # over GET whatever this says.
        allow_queries_via_get=True,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
        allowed_origins=allowed_origins,
    )
    router.local_ide = local_ide
    router.serve_http_directly(context_getter)
    return router
