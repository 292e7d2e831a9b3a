"""Serve the storefront's built bundle (storefront/dist) on 127.0.0.1.

    python -m devmesh.storefront_server     # port from STOREFRONT_PORT

A single-page app: a path that is not a file gets index.html (the app routes
it). /config.json tells the app where the gateway and the OIDC provider are
(from the STOREFRONT_* environment the launcher sets), so one build runs on
any port offset. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "storefront" / "dist"


def runtime_config(env: dict[str, str]) -> dict[str, str]:
    return {
        "graphqlUrl": env["STOREFRONT_GRAPHQL_URL"],
        "oidcIssuer": env["STOREFRONT_OIDC_ISSUER"],
        "oidcClientId": env["STOREFRONT_OIDC_CLIENT_ID"],
        "mailpitUrl": env.get("STOREFRONT_MAILPIT_URL", ""),
    }


class Handler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            self._send(self.config, "application/json", "no-store")
            return
        target = Path(self.translate_path(path))
        if path.startswith("/assets/") or (target.is_file() and path != "/"):
            super().do_GET()
            return
        index = (DIST / "index.html").read_bytes()
        self._send(index, "text/html; charset=utf-8", "no-cache")

    def end_headers(self) -> None:
        if self.path.startswith("/assets/"):
            # Vite names assets by content hash: they never change.
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def _send(self, body: bytes, content_type: str, cache: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def main() -> int:
    if not (DIST / "index.html").exists():
        print(
            f"{DIST} has no build: run"
            " `python3 -m devmesh.bootstrap --only storefront`",
            file=sys.stderr,
        )
        return 1
    Handler.config = json.dumps(runtime_config(dict(os.environ))).encode()
    port = int(os.environ["STOREFRONT_PORT"])
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), partial(Handler, directory=str(DIST))
    )
    print(f"storefront on http://127.0.0.1:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
