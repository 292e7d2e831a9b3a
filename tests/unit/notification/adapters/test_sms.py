"""SMS through the Dapr output binding."""

from __future__ import annotations

import json

from services.notification.adapters.sms import DaprSms
from services.notification.domain import (
    Sms,
)
from tests.unit.notification.fakes import FakeDapr


def test_sms_goes_to_the_binding_with_a_per_event_file_name() -> None:
    dapr = FakeDapr()
    DaprSms(dapr, "sms").send(Sms("ev-1", "+4915112345678", "Hello"))  # type: ignore[arg-type]
    [call] = dapr.bindings
    assert call["name"] == "sms" and call["operation"] == "create"
    assert json.loads(call["data"]) == {"to": "+4915112345678", "body": "Hello"}
    assert call["metadata"] == {"toNumber": "+4915112345678", "fileName": "ev-1.json"}


def test_sms_text_format_sends_the_body_alone() -> None:
    dapr = FakeDapr()
    DaprSms(dapr, "sms", "text").send(Sms("ev-1", "+4915112345678", "Hello"))  # type: ignore[arg-type]
    assert dapr.bindings[0]["data"] == "Hello"
