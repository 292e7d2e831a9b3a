"""The caller's own user through /graphql."""

from __future__ import annotations

from gateway.graphql.context import SubjectIds
from tests.unit.gateway.fakes import GraphQL, World

ME = "{ me { id email name phone emailNotifications smsNotifications } }"
UPDATE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    __typename
    ... on User { name phone }
    ... on ValidationError { fields { field message } }
  }
}"""


def test_me_creates_the_user_from_the_token_on_first_sight(
    world: World, gql: GraphQL
) -> None:
    alice = world.token("alice")

    me = gql(ME, token=alice)["data"]["me"]

    assert me == {
        "id": "u1",
        "email": "alice@shop.test",
        "name": "Alice",
        "phone": None,
        "emailNotifications": True,
        "smsNotifications": False,
    }
    assert gql(ME, token=alice)["data"]["me"]["id"] == "u1"
    assert len(world.users.by_id) == 1


def test_me_needs_a_token(gql: GraphQL) -> None:
    body = gql(ME)

    assert body["data"] == {"me": None}
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_update_profile_changes_only_the_callers_user(
    world: World, gql: GraphQL
) -> None:
    alice, bob = world.token("alice"), world.token("bob")
    gql(ME, token=bob)

    result = gql(UPDATE, {"input": {"phone": "+15551234567"}}, token=alice)

    assert result["data"]["updateProfile"] == {
        "__typename": "User",
        "name": "Alice",
        "phone": "+15551234567",
    }
    assert gql(ME, token=bob)["data"]["me"]["phone"] is None


def test_a_bad_phone_is_a_validation_error(world: World, gql: GraphQL) -> None:
    alice = world.token("alice")

    result = gql(UPDATE, {"input": {"phone": "555"}}, token=alice)

    assert result["data"]["updateProfile"] == {
        "__typename": "ValidationError",
        "fields": [{"field": "phone", "message": "must be in E.164 format"}],
    }


def test_the_subject_to_user_id_memory_is_bounded_in_time_and_size() -> None:
    now = [0.0]
    ids = SubjectIds(capacity=2, ttl_seconds=10, clock=lambda: now[0])
    ids.put("a", "u1")
    ids.put("b", "u2")
    ids.put("c", "u3")

    assert ids.get("a") is None  # the oldest made room
    assert ids.get("c") == "u3"
    now[0] = 11
    assert ids.get("c") is None
