"""Rate limiting: the GCRA script on a real redis-server (a free loopback port,
started by the `redis_server` fixture), who is counted, what a request costs,
what callers see, and what happens when Redis is gone."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis

from gateway.config import GatewaySettings
from gateway.ratelimit import (
    RateLimiter,
    RateLimiterDown,
    Rule,
    client_address,
    graphql_cost,
    operation_type,
)
from tests.unit.gateway.fakes import GraphQL, World, app_client

PROXY = ipaddress.ip_network("10.0.0.0/8")
QUERY = {"query": "{ products(first: 1) { edges { cursor } } }"}
MUTATION = {
    "query": 'mutation { cancelOrder(id: "o1") { __typename } }',
}


# --- who is counted -------------------------------------------------------------------


def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", [PROXY]) == "203.0.113.9"
    assert client_address("203.0.113.9", "1.2.3.4", []) == "203.0.113.9"


def test_forwarded_for_is_read_from_a_trusted_proxy_right_to_left() -> None:
    # The client may prepend anything; only what our proxies appended counts.
    header = "6.6.6.6, 198.51.100.7, 10.0.0.3"
    assert client_address("10.0.0.2", header, [PROXY]) == "198.51.100.7"


def test_a_chain_of_only_trusted_hops_yields_the_leftmost() -> None:
    assert client_address("10.0.0.2", "10.1.1.1, 10.0.0.3", [PROXY]) == "10.1.1.1"


def test_garbage_in_forwarded_for_is_not_an_address_to_trust() -> None:
    assert client_address("10.0.0.2", "bogus", [PROXY]) == "bogus"
    assert client_address("10.0.0.2", "", [PROXY]) == "10.0.0.2"


def test_trusted_proxies_come_from_a_comma_separated_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")

    settings = GatewaySettings()

    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.1/32"),
    )


# --- what a request costs -------------------------------------------------------------


def test_mutations_cost_more_than_queries() -> None:
    assert graphql_cost(QUERY, 1, 5) == (1, False)
    assert graphql_cost(MUTATION, 1, 5) == (5, True)


def test_the_named_operation_decides_the_cost() -> None:
    both = "query Q { __typename } mutation M { cancelOrder(id: 1) { __typename } }"

    assert operation_type(both, "Q") == "query"
    assert operation_type(both, "M") == "mutation"
    assert operation_type(both, None) == "mutation"  # ambiguous: the costliest


def test_unparseable_requests_cost_a_query() -> None:
    assert graphql_cost({"query": "mutation {"}, 1, 5) == (1, False)
    assert graphql_cost("not a dict", 1, 5) == (1, False)
    assert graphql_cost(None, 1, 5) == (1, False)


# --- the script, on a real Redis ------------------------------------------------------


@pytest.mark.anyio
async def test_the_bucket_allows_the_burst_then_refuses(redis_server: str) -> None:
    redis = Redis.from_url(redis_server)
    limiter = RateLimiter(redis, prefix=f"t{uuid.uuid4().hex}")
    rule = Rule("graphql", per_minute=60, burst=5, fail_open=True)
    try:
        decisions = [await limiter.hit(rule, "ip:1.1.1.1", 1) for _ in range(6)]
    finally:
        await redis.aclose()

    assert [d.allowed for d in decisions if d] == [True] * 5 + [False]
    assert [d.remaining for d in decisions if d] == [4, 3, 2, 1, 0, 0]
    refused = decisions[-1]
    assert refused is not None
    assert 0.9 < refused.retry_after <= 1.0  # one unit refills in a second
    assert refused.headers()["Retry-After"] == "1"
    assert refused.headers()["RateLimit-Limit"] == "5"


@pytest.mark.anyio
async def test_two_processes_share_one_limit(redis_server: str) -> None:
    prefix = f"t{uuid.uuid4().hex}"
    one, two = Redis.from_url(redis_server), Redis.from_url(redis_server)
    first, second = RateLimiter(one, prefix), RateLimiter(two, prefix)
    rule = Rule("graphql", per_minute=1, burst=10, fail_open=True)
    try:
        allowed = 0
        for i in range(20):
            limiter = first if i % 2 else second
            decision = await limiter.hit(rule, "sub:alice", 1)
            allowed += bool(decision and decision.allowed)
    finally:
        await one.aclose()
        await two.aclose()

    assert allowed == 10


@pytest.mark.anyio
async def test_a_cost_larger_than_what_is_left_is_refused(redis_server: str) -> None:
    redis = Redis.from_url(redis_server)
    limiter = RateLimiter(redis, prefix=f"t{uuid.uuid4().hex}")
    rule = Rule("graphql", per_minute=60, burst=7, fail_open=True)
    try:
        assert (await limiter.hit(rule, "sub:a", 5)).allowed  # type: ignore[union-attr]
        refused = await limiter.hit(rule, "sub:a", 5)
        small = await limiter.hit(rule, "sub:a", 1)
    finally:
        await redis.aclose()

    assert refused is not None and not refused.allowed
    assert refused.remaining == 2
    assert small is not None and small.allowed


@pytest.mark.anyio
async def test_an_unreachable_redis_fails_open_or_closed_by_rule() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RateLimiter(redis)
    try:
        assert await limiter.hit(Rule("q", 60, 5, fail_open=True), "ip:x", 1) is None
        with pytest.raises(RateLimiterDown):
            await limiter.hit(Rule("auth", 60, 5, fail_open=False), "ip:x", 1)
    finally:
        await redis.aclose()


# --- what callers see -----------------------------------------------------------------


def limited_settings(**overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "environment": "test",
        "rate_limit_graphql_per_minute": 1,
        "rate_limit_graphql_burst": 6,
        "rate_limit_auth_per_minute": 1,
        "rate_limit_auth_burst": 2,
        "trusted_proxies": "10.0.0.0/8",
        **overrides,
    }
    return GatewaySettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def limited(world: World, redis_server: str) -> Iterator[TestClient]:
    """A gateway with a small GraphQL bucket (6) and /auth bucket (2)."""
    redis = Redis.from_url(redis_server)
    services = world.services(
        limiter=RateLimiter(redis, prefix=f"t{uuid.uuid4().hex}"),
        settings=limited_settings(),
    )
    with app_client(services) as client:
        yield client
        client.portal.call(redis.aclose)  # type: ignore[union-attr]


def test_a_caller_over_the_limit_gets_429_with_headers(limited: TestClient) -> None:
    statuses = [limited.post("/graphql", json=QUERY).status_code for _ in range(6)]
    refused = limited.post("/graphql", json=QUERY)

    assert statuses == [200] * 6
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Limit"] == "6"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["RateLimit-Reset"]) > 0
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_allowed_responses_carry_the_ratelimit_headers(limited: TestClient) -> None:
    response = limited.post("/graphql", json=QUERY)

    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "6"
    assert response.headers["RateLimit-Remaining"] == "5"
    assert "Retry-After" not in response.headers


def test_a_mutation_costs_five_queries(world: World, limited: TestClient) -> None:
    alice = world.token("alice")
    headers = {"Authorization": f"Bearer {alice}"}

    first = limited.post("/graphql", json=MUTATION, headers=headers)
    second = limited.post("/graphql", json=MUTATION, headers=headers)

    assert first.status_code == 200
    assert first.headers["RateLimit-Remaining"] == "1"
    assert second.status_code == 429


def test_spoofed_forwarded_for_does_not_make_new_callers(limited: TestClient) -> None:
    statuses = [
        limited.post(
            "/graphql", json=QUERY, headers={"X-Forwarded-For": f"198.51.100.{i}"}
        ).status_code
        for i in range(8)
    ]

    assert statuses.count(429) == 2  # all counted as the one direct peer


def test_each_user_has_a_bucket_of_their_own(world: World, limited: TestClient) -> None:
    gql = GraphQL(limited)
    for _ in range(6):
        gql(QUERY["query"], token=world.token("alice"))

    assert limited.post("/graphql", json=QUERY).status_code == 200  # anonymous
    gql(QUERY["query"], token=world.token("bob"))
    gql(QUERY["query"], token=world.token("alice"), expect=429)


def test_bad_tokens_are_counted_against_the_address(limited: TestClient) -> None:
    headers = {"Authorization": "Bearer forged"}
    statuses = [
        limited.post("/graphql", json=QUERY, headers=headers).status_code
        for _ in range(7)
    ]

    assert statuses == [401] * 6 + [429]


def test_auth_routes_have_their_own_stricter_bucket(limited: TestClient) -> None:
    statuses = [limited.get("/auth/me").status_code for _ in range(3)]

    assert statuses[:2] == [401, 401]
    assert statuses[2] == 429
    refused = limited.get("/auth/me")
    assert refused.json()["error"] == "rate_limited"
    assert "Retry-After" in refused.headers
    # GraphQL still has its own bucket.
    assert limited.post("/graphql", json=QUERY).status_code == 200


@pytest.fixture
def redis_down(world: World) -> Iterator[TestClient]:
    redis = Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    services = world.services(limiter=RateLimiter(redis), settings=limited_settings())
    with app_client(services) as client:
        yield client


def test_without_redis_reads_fail_open(redis_down: TestClient) -> None:
    response = redis_down.post("/graphql", json=QUERY)

    assert response.status_code == 200
    assert "RateLimit-Limit" not in response.headers


def test_without_redis_mutations_and_auth_fail_closed(
    world: World, redis_down: TestClient
) -> None:
    alice = world.token("alice")
    mutation = redis_down.post(
        "/graphql", json=MUTATION, headers={"Authorization": f"Bearer {alice}"}
    )
    login = redis_down.get("/auth/login")

    assert mutation.status_code == 503
    assert mutation.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert login.status_code == 503
    assert login.json()["error"] == "temporarily_unavailable"
    assert login.headers["Retry-After"] == "5"
