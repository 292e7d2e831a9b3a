"""The SMTP password, kept in the Dapr secret store."""

from __future__ import annotations

import threading

from dapr.clients import DaprClient


class SecretPassword:
    """The SMTP password, read from the Dapr secret store on first use.

    Read lazily (the sidecar may not be up when the app starts) and cached;
    forgotten after an authentication failure so a rotated secret is re-read.
    """

    def __init__(self, client: DaprClient, store: str, key: str) -> None:
        self._client = client
        self._store = store
        self._key = key
        self._value: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._value is None:
                secret = self._client.get_secret(self._store, self._key).secret
                value = secret.get(self._key, "")
                if not value:
                    raise RuntimeError(
                        f"secret {self._key!r} is empty in secret store {self._store!r}"
                    )
                self._value = value
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._value = None
