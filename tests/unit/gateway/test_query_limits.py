"""The alias and depth limits follow fragment spreads, count every spread, and
stay cheap on documents built to make a naive walk take exponential time."""

from __future__ import annotations

import time

from tests.unit.gateway.fakes import GraphQL

TEN_ALIASES = " ".join(f"a{i}: __typename" for i in range(10))


def doubling_chain(links: int, leaf: str) -> str:
    """F{n} spreads F{n-1} twice: 2^(links-1) paths down to F0 in ~12 tokens a link."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    fragments += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, links)
    ]
    return f"query Chain {{ ...F{links - 1} }} " + " ".join(fragments)


def messages(body: dict[str, object]) -> list[str]:
    return [e["message"] for e in body.get("errors") or []]  # type: ignore[index,union-attr]


def test_one_fragment_spread_three_times_counts_its_aliases_three_times(
    gql: GraphQL,
) -> None:
    body = gql(f"query {{ ...F ...F ...F }} fragment F on Query {{ {TEN_ALIASES} }}")

    assert body["data"] is None
    assert messages(body) == ["30 aliases found. Allowed: 15"]


def test_spreads_through_nested_fragments_multiply(gql: GraphQL) -> None:
    """Counted over every operation of the document: 10 + 20."""
    query = (
        "query One { ...Twice } "
        "fragment Twice on Query { ...Five ...Five } "
        "fragment Five on Query { a: __typename b: __typename c: __typename "
        "d: __typename e: __typename } "
    )
    assert messages(gql(query + "query Other { ...Twice ...Twice }")) == [
        "30 aliases found. Allowed: 15"
    ]


def test_a_fragment_spread_within_the_limit_runs(gql: GraphQL) -> None:
    body = gql("query { ...F } fragment F on Query { a: __typename b: __typename }")

    assert body == {"data": {"a": "Query", "b": "Query"}}


def test_an_exponential_fragment_chain_is_refused_quickly(gql: GraphQL) -> None:
    started = time.perf_counter()
    body = gql(doubling_chain(40, "a: __typename"))
    elapsed = time.perf_counter() - started

    assert messages(body) == [f"{2**39} aliases found. Allowed: 15"]
    assert elapsed < 2.0  # a walk of every spread would take hours


def test_depth_through_an_exponential_fragment_chain_is_measured_quickly(
    gql: GraphQL,
) -> None:
    started = time.perf_counter()
    body = gql(doubling_chain(40, 'product(id: "missing") { name }'))
    elapsed = time.perf_counter() - started

    assert body == {"data": {"product": None}}  # depth 1: validated, then run
    assert elapsed < 2.0


def test_depth_hidden_behind_a_chain_of_fragments_is_refused(gql: GraphQL) -> None:
    deep = "me { " * 11 + "id" + " }" * 11
    body = gql(doubling_chain(30, deep))

    assert "'Chain' exceeds maximum operation depth of 10" in messages(body)
