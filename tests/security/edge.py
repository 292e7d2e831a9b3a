"""The gateway as a client on the network sees it: GraphQL calls with a bearer,
and the login through the gateway and the local provider's own login page."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

ME = {"query": "{ me { id } }"}


class Gateway:
    """POST /graphql `{ me { id } }` with a bearer; waits out a 429 (bad tokens
    are charged to the caller's address, and the security tier sends many)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.url = f"{base}/graphql"
        self.http = httpx.Client(timeout=20.0)

    def call(self, token: str) -> httpx.Response:
        for _ in range(10):
            response = self.http.post(
                self.url, json=ME, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 429:
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))
        raise AssertionError("still rate limited after 10 tries")

    def refuses(self, token: str) -> str:
        response = self.call(token)
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.json()
        assert body["error"] == "invalid_token"
        return str(body["error_description"])

    def login(self, username: str) -> dict[str, Any]:
        """The tokens the gateway hands out after a real login: /auth/login, the
        provider's login form (authorization code + PKCE, state, nonce), then
        /auth/callback, which verifies both tokens before answering them."""
        with httpx.Client(timeout=20.0) as browser:
            start = browser.get(f"{self.base}/auth/login")
            assert start.status_code == 302, start.text
            authorize = start.headers["location"]
            page = browser.get(authorize)
            assert page.status_code == 200 and 'name="username"' in page.text
            # The provider's form posts back to its authorize URL, query and all.
            sent = browser.post(authorize, data={"username": username})
            assert sent.status_code == 302, sent.text
            callback = sent.headers["location"]
            assert callback.startswith(f"{self.base}/auth/callback?")
            assert "code" in parse_qs(urlsplit(callback).query)
            done = browser.get(callback, headers={"Accept": "application/json"})
            assert done.status_code == 200, done.text
            return dict(done.json())
