"""User use cases: get-or-create by subject, batch get, update."""

from __future__ import annotations

import threading

import pytest

from services.user.domain import (
    NotFound,
    NoticeKind,
    OrderNotice,
    UserChanges,
    ValidationError,
)
from services.user.service import UserService
from tests.unit.user.fakes import FakeNotifications, FakeUserRepository


@pytest.fixture
def repo() -> FakeUserRepository:
    return FakeUserRepository()


@pytest.fixture
def notifications() -> FakeNotifications:
    return FakeNotifications()


@pytest.fixture
def service(repo: FakeUserRepository, notifications: FakeNotifications) -> UserService:
    return UserService(repo, notifications)


def test_first_login_creates_the_user_and_one_event(
    service: UserService, repo: FakeUserRepository
) -> None:
    user, created = service.get_or_create("oidc|eve", "eve@example.com", "Eve")
    again, created_again = service.get_or_create("oidc|eve", "eve@example.com", "Eve")
    assert created is True and created_again is False
    assert again.id == user.id
    assert repo.events == [("user-created", user.id)]
    assert user.email_notifications is True


def test_a_rival_insert_between_lookup_and_insert_yields_the_rivals_user(
    service: UserService, repo: FakeUserRepository
) -> None:
    rival = UserService(FakeUserRepository(), FakeNotifications())
    rival_user, _ = rival.get_or_create("oidc|eve", "eve@example.com", "Eve")

    def rival_wins() -> None:
        repo.before_add = lambda: None
        repo.users[rival_user.id] = rival_user

    repo.before_add = rival_wins
    user, created = service.get_or_create("oidc|eve", "eve@example.com", "Eve")
    assert created is False
    assert user.id == rival_user.id
    assert repo.events == []  # the loser publishes nothing


def test_concurrent_first_logins_make_one_user(
    service: UserService, repo: FakeUserRepository
) -> None:
    barrier = threading.Barrier(16)
    results = []

    def login() -> None:
        barrier.wait()
        results.append(service.get_or_create("oidc|bob", "bob@example.com", "Bob"))

    threads = [threading.Thread(target=login) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({user.id for user, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(repo.events) == 1


def test_creation_validates_subject_and_email(service: UserService) -> None:
    with pytest.raises(ValidationError) as err:
        service.get_or_create("", "eve@example.com", "Eve")
    assert err.value.field == "subject"
    with pytest.raises(ValidationError) as err:
        service.get_or_create("oidc|eve", "eve-at-example", "Eve")
    assert err.value.field == "email"


def test_creation_without_email_is_allowed(service: UserService) -> None:
    user, created = service.get_or_create("oidc|anon", "", "")
    assert created and user.email == ""


def test_batch_get_keeps_order_and_leaves_out_unknown_ids(
    service: UserService,
) -> None:
    a, _ = service.get_or_create("s-a", "a@example.com", "A")
    b, _ = service.get_or_create("s-b", "b@example.com", "B")
    found = service.get_many([b.id, "nope", a.id, b.id, ""])
    assert [u.id for u in found] == [b.id, a.id]
    assert service.get_many([]) == []


def test_update_changes_only_given_fields(service: UserService) -> None:
    user, _ = service.get_or_create("s", "eve@example.com", "Eve")
    updated = service.update(
        user.id, UserChanges(phone="+4915112345678", sms_notifications=False)
    )
    assert updated.phone == "+4915112345678"
    assert updated.sms_notifications is False
    assert updated.name == "Eve"
    cleared = service.update(user.id, UserChanges(phone="", name="  Eve A.  "))
    assert cleared.phone == "" and cleared.name == "Eve A."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (UserChanges(name=""), "name"),
        (UserChanges(name="x" * 201), "name"),
        (UserChanges(phone="12345"), "phone"),
    ],
)
def test_update_refuses_bad_fields(
    service: UserService, changes: UserChanges, field: str
) -> None:
    user, _ = service.get_or_create("s", "eve@example.com", "Eve")
    with pytest.raises(ValidationError) as err:
        service.update(user.id, changes)
    assert err.value.field == field


def test_unknown_users_are_not_found(service: UserService) -> None:
    with pytest.raises(NotFound):
        service.get("nope")
    with pytest.raises(NotFound):
        service.update("nope", UserChanges(name="X"))
    with pytest.raises(NotFound):
        service.contact("nope")


def notice(buyer_id: str) -> OrderNotice:
    return OrderNotice(NoticeKind.STATUS_CHANGED, "ev-1", "o-1", buyer_id, "SHIPPED")


def test_an_order_notice_goes_out_with_the_buyers_contact(
    service: UserService, notifications: FakeNotifications
) -> None:
    eve, _ = service.get_or_create("s", "eve@example.com", "Eve")
    service.update(eve.id, UserChanges(sms_notifications=False))
    event_id = service.notify_buyer(notice(eve.id))
    sent, contact = notifications.published[event_id]
    assert sent == notice(eve.id)
    assert contact.email == "eve@example.com"
    assert contact.email_enabled and not contact.sms_enabled


def test_an_order_notice_for_an_unknown_buyer_is_not_found(
    service: UserService, notifications: FakeNotifications
) -> None:
    with pytest.raises(NotFound):
        service.notify_buyer(notice("ghost"))
    assert notifications.published == {}


def test_an_empty_user_id_is_invalid_never_any_user(service: UserService) -> None:
    service.get_or_create("s", "eve@example.com", "Eve")
    for call in (
        lambda: service.get(""),
        lambda: service.update("", UserChanges(name="X")),
        lambda: service.contact(""),
    ):
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.field == "userId"
