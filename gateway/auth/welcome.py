"""The page a browser lands on after logging in (`/auth/callback`).

It shows the access token, how long it lasts, and two ways to use it: GraphiQL
with the Authorization header already filled in (passed in the URL fragment,
which never reaches a server), and the same call with curl. Scripts that ask
for JSON (any client not asking for HTML) still get the token response.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import quote

GRAPHIQL = "/graphql"


def wants_html(accept: str | None) -> bool:
    return "text/html" in (accept or "")


def graphiql_link(access_token: str, base: str = GRAPHIQL) -> str:
    headers = json.dumps({"Authorization": f"Bearer {access_token}"})
    return f"{base}#headers={quote(headers, safe='')}"


def page(tokens: dict[str, Any], public_url: str) -> str:
    token = str(tokens["access_token"])
    minutes = int(tokens.get("expires_in") or 0) // 60
    link = escape(graphiql_link(token))
    query = json.dumps({"query": "{ me { id email } }"})
    curl = (
        f"curl -s {public_url}/graphql -H 'Authorization: Bearer {token}' \\\n"
        f"     -H 'Content-Type: application/json' -d '{query}'"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Signed in · daprshop</title>
<style>
 body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem;
        margin: 3rem auto; padding: 0 1rem; color: #222; }}
 textarea, pre {{ width: 100%; font: 13px ui-monospace, monospace;
        background: #f5f5f5; border: 1px solid #ddd; border-radius: 6px;
        padding: .6rem; box-sizing: border-box; }}
 textarea {{ height: 7rem; resize: vertical; }}
 a.button {{ display: inline-block; background: #e10098; color: #fff;
        padding: .6rem 1.1rem; border-radius: 6px; text-decoration: none;
        font-weight: 600; }}
</style></head>
<body>
<h1>You are signed in</h1>
<p><a class="button" href="{link}">Open GraphiQL, signed in</a></p>
<p>GraphiQL opens with every operation of the API and the
<code>Authorization</code> header filled in; pick one and press run.</p>
<h2>Your access token</h2>
<p>Valid for about {minutes} minutes. Send it as
<code>Authorization: Bearer &lt;token&gt;</code>.</p>
<textarea readonly onclick="this.select()">{escape(token)}</textarea>
<h2>Or from a terminal</h2>
<pre>{escape(curl)}</pre>
<p><a href="/auth/me" >Who am I?</a> (needs the header) ·
<a href="/auth/logout">Log out</a></p>
</body></html>
"""
