"""SMS through a Dapr output binding (the `SmsSender` port)."""

from __future__ import annotations

import json
from typing import Literal

from dapr.clients import DaprClient

from services.notification.domain import Sms


class DaprSms:
    """SMS through the Dapr output binding `sms`.

    Metadata carries both what Twilio needs (`toNumber`) and what the local
    file binding needs (`fileName`, deterministic per event, so a repeat would
    overwrite rather than add a file). `data_format="text"` sends the body
    alone, which is what Twilio's binding expects as the message text.
    """

    def __init__(
        self,
        client: DaprClient,
        binding: str,
        data_format: Literal["json", "text"] = "json",
    ) -> None:
        self._client = client
        self._binding = binding
        self._format = data_format

    def send(self, sms: Sms) -> None:
        data = (
            json.dumps({"to": sms.to, "body": sms.body})
            if self._format == "json"
            else sms.body
        )
        self._client.invoke_binding(
            self._binding,
            "create",
            data=data,
            binding_metadata={"toNumber": sms.to, "fileName": f"{sms.token}.json"},
        )
