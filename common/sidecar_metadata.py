"""A read-only view of the app's own sidecar metadata, for Tilt's link.

Dapr's metadata API (GET /v1.0/metadata: app id, components, subscriptions,
HTTP endpoints, app connection, runtime version) needs the sidecar's API
token, which a browser does not have. The app has it, so its status server
(common.status_http, 127.0.0.1 only) answers `/dapr/metadata` by asking its
sidecar and returning the answer as indented JSON. Outside prod only: in prod
the status port serves metrics and readiness alone.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from common.settings import ServiceSettings

# (HTTP status, body) of one look at the sidecar's metadata.
MetadataView = Callable[[], tuple[int, str]]


def view(settings: ServiceSettings, timeout: float = 3.0) -> MetadataView:
    url = f"http://{settings.dapr_host}:{settings.dapr_http_port}/v1.0/metadata"
    headers = {}
    if settings.dapr_api_token is not None:
        headers["dapr-api-token"] = settings.dapr_api_token.get_secret_value()

    def look() -> tuple[int, str]:
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return 200, json.dumps(json.load(resp), indent=2, sort_keys=True)
        except urllib.error.HTTPError as err:
            return 502, f"the sidecar answered {err.code} to GET /v1.0/metadata"
        except (OSError, ValueError) as err:
            return 503, f"the sidecar's metadata API is not answering: {err}"

    return look
