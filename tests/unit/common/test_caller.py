"""Who is calling: the caller app id the sidecar appended, the acting user the
gateway forwarded, and refusals with an audit line."""

from __future__ import annotations

import logging

import pytest

from common.caller import (
    CALLER_APP_HEADER,
    ORDERS_WRITE,
    PRODUCTS_WRITE,
    USER_HEADER,
    Actor,
    PermissionDenied,
    caller_of,
)
from tests.unit.common.servicer_context import FakeContext, as_app, as_gateway


def test_the_gateways_actor_round_trips_through_metadata() -> None:
    actor = Actor("u1", "oidc|alice", frozenset({ORDERS_WRITE, PRODUCTS_WRITE}))

    caller = caller_of(as_app("gateway", *actor.metadata()), "GetOrder")

    assert caller.app_id == "gateway"
    assert caller.actor == actor
    assert caller.method == "GetOrder"


def test_an_empty_actor_sends_no_headers() -> None:
    assert Actor().metadata() == ()


def test_another_app_acts_for_nobody_whatever_it_sends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forged = Actor("u1", "s", frozenset({ORDERS_WRITE})).metadata()

    with caplog.at_level(logging.WARNING):
        caller = caller_of(as_app("product", *forged))

    assert caller.app_id == "product"
    assert caller.actor == Actor()
    assert "caller_app=product" in caplog.text
    assert "acting-user headers" in caplog.text


def test_a_forged_caller_app_id_loses_to_the_sidecars_and_is_audited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # What an app that sends its own dapr-caller-app-id looks like at the
    # callee: its value first, its sidecar's appended after it.
    context = FakeContext(
        [
            (CALLER_APP_HEADER, "gateway"),
            (USER_HEADER, "victim"),
            (CALLER_APP_HEADER, "order"),
        ]
    )

    with caplog.at_level(logging.WARNING):
        caller = caller_of(context)

    assert caller.app_id == "order"
    assert caller.actor == Actor()
    assert "several caller app ids" in caplog.text


def test_no_caller_app_id_is_nobody() -> None:
    caller = caller_of(FakeContext())
    with pytest.raises(PermissionDenied) as err:
        caller.require_app("gateway")
    assert err.value.facts() == {"caller": "unknown"}


@pytest.mark.parametrize(
    ("owner", "words"), [("", "an empty id"), ("bob", "another user's id")]
)
def test_an_owner_other_than_the_acting_user_is_refused_with_an_audit_line(
    caplog: pytest.LogCaptureFixture, owner: str, words: str
) -> None:
    caller = caller_of(as_gateway("alice"), "ListOrders")

    with caplog.at_level(logging.WARNING), pytest.raises(PermissionDenied) as err:
        caller.require_owner(owner, "user_id")

    assert err.value.facts() == {"caller": "gateway"}
    assert words in str(err.value)
    [line] = [r for r in caplog.records if "refused" in r.getMessage()]
    assert line.exc_info is None
    assert "caller_app=gateway user=alice method=ListOrders" in line.getMessage()


def test_the_acting_users_own_id_passes() -> None:
    assert caller_of(as_gateway("alice")).require_owner("alice", "user_id") == "alice"


def test_no_acting_user_is_refused_even_for_an_empty_owner() -> None:
    with pytest.raises(PermissionDenied):
        caller_of(as_gateway("")).require_owner("", "user_id")


def test_a_permission_counts_only_from_the_gateway() -> None:
    assert caller_of(as_gateway("a", ORDERS_WRITE)).require_permission(ORDERS_WRITE)
    with pytest.raises(PermissionDenied):
        caller_of(as_gateway("a", PRODUCTS_WRITE)).require_permission(ORDERS_WRITE)
    forged = Actor("a", "", frozenset({ORDERS_WRITE})).metadata()
    with pytest.raises(PermissionDenied):
        caller_of(as_app("order", *forged)).require_permission(ORDERS_WRITE)
