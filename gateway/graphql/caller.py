"""Who is calling /graphql over HTTP: runs before any GraphQL work. It caps the
body, verifies the bearer token (a bad one is an HTTP 401, not a GraphQL 200)
and charges the caller's rate-limit bucket by the operation's cost; an
automatic persisted query is resolved first (gateway.graphql.persisted), so
it is charged as the document its hash stands for.
Websockets skip it: they authenticate with the `connection_init` payload
(see gateway.graphql.router)."""

from __future__ import annotations

import json

from fastapi import Request
from starlette.requests import HTTPConnection

from gateway.admission import charge, peer_address, read_capped_body
from gateway.auth import AuthHTTPError, Principal, authenticate, bearer_token
from gateway.graphql.persisted import PersistedQueryError, resolve
from gateway.ratelimit import graphql_cost, identity_key
from gateway.services import services_of


def _graphql_payload(request: Request, body: bytes) -> object:
    if request.method == "GET":
        return dict(request.query_params)
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


async def graphql_caller(request: HTTPConnection) -> Principal | None:
    """Who is calling /graphql over HTTP, after auth and rate limiting."""
    if request.scope["type"] != "http":
        return None  # websockets authenticate at connection_init
    assert isinstance(request, Request)
    services = services_of(request)
    settings = services.settings
    rules = services.rules
    body = await read_capped_body(request, settings.graphql_max_body_bytes)
    address = peer_address(request, services)
    try:
        principal = await authenticate(bearer_token(request), services.verifier)
    except AuthHTTPError as err:
        if err.status_code == 401:
            # Bad tokens still cost the address, so guessing is rate limited too.
            await charge(
                services,
                request,
                rules.graphql_queries,
                identity_key(None, address),
                settings.rate_limit_query_cost,
            )
        raise
    payload = _graphql_payload(request, body)
    refused: PersistedQueryError | None = None
    try:
        document = await resolve(
            payload, services.persisted, settings.graphql_max_tokens
        )
    except PersistedQueryError as err:
        document, refused = None, err
    if document is not None and isinstance(payload, dict):
        # Charged, and run, as the document the hash stands for.
        request.state.persisted_query = document
        payload = {**payload, "query": document}
    cost, mutation = graphql_cost(
        payload,
        settings.rate_limit_query_cost,
        settings.rate_limit_mutation_cost,
        settings.graphql_max_tokens,
    )
    await charge(
        services,
        request,
        rules.graphql_mutations if mutation else rules.graphql_queries,
        identity_key(principal.subject if principal else None, address),
        cost,
    )
    if refused is not None:  # charged first: unknown hashes are not free
        raise refused
    return principal
