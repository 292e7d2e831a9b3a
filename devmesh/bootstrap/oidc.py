"""mock-oauth2-server as jars from Maven Central: the local OpenID provider."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, maven_install, maven_libs


def libs() -> Path:
    return maven_libs("oidc", pins.MOCK_OAUTH2)


PART = Part(
    "oidc",
    f"mock-oauth2-server {pins.MOCK_OAUTH2} (Maven Central)",
    lambda: libs().exists(),
    lambda: maven_install("oidc", pins.MOCK_OAUTH2),
    "~1 min",
)
