"""Who gets told what, through which channel, and never twice."""

from __future__ import annotations

import pytest

from common.subscriptions import InFlight
from services.notification.domain import (
    Contact,
    InvalidNotification,
    InvalidRecipient,
    LineItem,
    Money,
    OrderConfirmation,
    OrderStatusUpdate,
    PermanentDeliveryError,
    Welcome,
)
from tests.unit.notification.fakes import Mesh

EVE = Contact("u-1", "eve@example.com", "Eve", "+4915112345678", True, True)


@pytest.fixture
def mesh() -> Mesh:
    return Mesh()


def contact(**changes: object) -> Contact:
    fields = {**EVE.__dict__, **changes}
    return Contact(**fields)  # type: ignore[arg-type]


def confirmation(event_id: str = "ev-1", who: Contact = EVE) -> OrderConfirmation:
    return OrderConfirmation(
        event_id,
        "o-42",
        who,
        (LineItem("Mug", 3, Money(1299, "USD")),),
        Money(3897, "USD"),
    )


def test_welcome_by_email_and_sms(mesh: Mesh) -> None:
    assert mesh.service.welcome(Welcome("ev-1", EVE)) == ["email", "sms"]
    [email] = mesh.mailer.sent
    assert email.to_address == "eve@example.com"
    assert email.subject == "Welcome to Daprshop"
    assert "Eve" in email.text
    [sms] = mesh.sms.sent
    assert sms.to == "+4915112345678" and "Welcome" in sms.body
    assert sms.token == "ev-1"


def test_preferences_are_respected(mesh: Mesh) -> None:
    mesh.service.welcome(Welcome("ev-1", contact(sms_enabled=False)))
    mesh.service.welcome(Welcome("ev-2", contact(email_enabled=False)))
    mesh.service.welcome(Welcome("ev-3", contact(phone="", email="")))
    assert [e.message_id for e in mesh.mailer.sent] == ["<ev-1.email@daprshop.local>"]
    assert [s.token for s in mesh.sms.sent] == ["ev-2"]


def test_the_same_event_twice_sends_one_email(mesh: Mesh) -> None:
    assert mesh.service.order_confirmation(confirmation()) == ["email", "sms"]
    assert mesh.service.order_confirmation(confirmation()) == []
    assert len(mesh.mailer.sent) == 1 and len(mesh.sms.sent) == 1
    mesh.service.order_confirmation(confirmation("ev-2"))
    assert len(mesh.mailer.sent) == 2


def test_confirmation_mentions_the_order_and_total(mesh: Mesh) -> None:
    mesh.service.order_confirmation(confirmation())
    [email] = mesh.mailer.sent
    assert "o-42" in email.subject
    assert "o-42" in email.text and "$38.97" in email.text
    assert "o-42" in email.html


def test_a_failed_email_is_raised_after_sms_went_out_and_retried_alone(
    mesh: Mesh,
) -> None:
    mesh.mailer.failure = ConnectionError("smtp down")
    with pytest.raises(ConnectionError):
        mesh.service.order_confirmation(confirmation())
    assert len(mesh.sms.sent) == 1
    mesh.mailer.failure = None
    assert mesh.service.order_confirmation(confirmation()) == ["email"]
    assert len(mesh.sms.sent) == 1 and len(mesh.mailer.sent) == 1


def test_a_send_in_flight_elsewhere_is_not_repeated(mesh: Mesh) -> None:
    mesh.ledger.claim("lease:email:ev-1")
    with pytest.raises(InFlight):
        mesh.service.welcome(Welcome("ev-1", contact(phone="")))
    assert mesh.mailer.sent == []


def test_a_passing_failure_wins_over_a_permanent_one(mesh: Mesh) -> None:
    mesh.mailer.failure = PermanentDeliveryError("550")
    mesh.sms.failure = ConnectionError("binding down")
    with pytest.raises(ConnectionError):
        mesh.service.welcome(Welcome("ev-1", EVE))


def test_an_undeliverable_address_still_lets_sms_through(mesh: Mesh) -> None:
    with pytest.raises(InvalidRecipient):
        mesh.service.welcome(
            Welcome("ev-1", contact(email="eve@example.com\r\nBcc: x@evil.com"))
        )
    assert mesh.mailer.sent == [] and len(mesh.sms.sent) == 1
    assert "lease:email:ev-1" not in mesh.ledger.values  # nothing left claimed


def test_status_change_email_names_the_new_status(mesh: Mesh) -> None:
    mesh.service.order_status(OrderStatusUpdate("ev-7", "o-42", EVE, "SHIPPED"))
    [email] = mesh.mailer.sent
    assert email.subject == "Your order o-42 is shipped"
    assert "shipped" in email.text


def test_unknown_status_is_an_invalid_notification(mesh: Mesh) -> None:
    with pytest.raises(InvalidNotification):
        mesh.service.order_status(
            OrderStatusUpdate("ev-7", "o-42", EVE, "ORDER_STATUS_UNSPECIFIED")
        )
    assert mesh.mailer.sent == []
