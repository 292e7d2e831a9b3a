"""`python -m gateway`: uvicorn with uvloop on BIND_HOST:APP_PORT (127.0.0.1).

SIGTERM/SIGINT: uvicorn stops accepting, lets open requests finish for
SHUTDOWN_GRACE_SECONDS, then the lifespan closes the clients.
"""

from __future__ import annotations

import uvicorn

from common import telemetry
from gateway.app import create_app
from gateway.config import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    telemetry.configure(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.app_port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="on",
        # X-Forwarded-For is ours to judge (TRUSTED_PROXIES in gateway.ratelimit);
        # uvicorn would otherwise trust it from any local peer.
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        timeout_keep_alive=5,
    )


if __name__ == "__main__":
    main()
