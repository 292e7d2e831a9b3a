"""Access tokens from the local OIDC provider, without a browser.

    python -m devmesh.tokens                  # a token for "alice", no permissions
    python -m devmesh.tokens --subject bob
    python -m devmesh.tokens --admin          # with products:write, orders:write

It uses the password grant of mock-oauth2-server: the username becomes `sub`
(and `name`, `email` = <sub>@daprshop.test), and the scope `admin` selects the
admin claims (see devmesh/oidc/config.json). The password is not checked.
In the browser login page, the user name `admin` gets the admin claims too.
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx

DEFAULT_ISSUER = "http://127.0.0.1:18080/shop"
USER_SCOPE = "openid profile email"
ADMIN_SCOPE = f"{USER_SCOPE} admin"
TIMEOUT = httpx.Timeout(10.0)


class TokenError(Exception):
    """The provider did not hand out a token."""


def issuer_from_env() -> str:
    return os.environ.get("OIDC_ISSUER", DEFAULT_ISSUER)


def get_token(subject: str, admin: bool = False, issuer_url: str | None = None) -> str:
    """An access token for `subject` (audience daprshop-api) from the local provider.

    `issuer_url` defaults to $OIDC_ISSUER, then to http://127.0.0.1:18080/shop.
    """
    issuer = (issuer_url or issuer_from_env()).rstrip("/")
    client_id = os.environ.get("OIDC_CLIENT_ID", "daprshop-web")
    client_secret = os.environ.get("OIDC_CLIENT_SECRET", "local-dev-only")
    try:
        with httpx.Client(timeout=TIMEOUT) as http:
            discovery = http.get(f"{issuer}/.well-known/openid-configuration")
            discovery.raise_for_status()
            response = http.post(
                discovery.json()["token_endpoint"],
                data={
                    "grant_type": "password",
                    "username": subject,
                    "password": "not-checked",
                    "scope": ADMIN_SCOPE if admin else USER_SCOPE,
                },
                auth=(client_id, client_secret),
            )
    except httpx.HTTPError as err:
        raise TokenError(f"cannot reach the OIDC provider at {issuer}: {err}") from err
    if response.status_code != 200:
        raise TokenError(
            f"token endpoint answered {response.status_code}: {response.text}"
        )
    token = response.json().get("access_token")
    if not isinstance(token, str):
        raise TokenError("token endpoint answered no access_token")
    return token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devmesh.tokens",
        description="Print an access token from the local OIDC provider.",
    )
    parser.add_argument("--subject", default="alice", help="the user (sub claim)")
    parser.add_argument(
        "--admin", action="store_true", help="with products:write and orders:write"
    )
    parser.add_argument("--issuer", default=None, help="default: $OIDC_ISSUER")
    args = parser.parse_args(argv)
    try:
        token = get_token(args.subject, admin=args.admin, issuer_url=args.issuer)
    except TokenError as err:
        print(err, file=sys.stderr)
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
