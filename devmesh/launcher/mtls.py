"""DAPR_MTLS: whether the sidecars talk to each other over mTLS (the default).

`DAPR_MTLS=false` (or 0/no/off) turns mTLS off, for a bench (R1n prices mTLS)
or a debugging session only. Without mTLS a caller's identity is not
authenticated, and Dapr's access control policies rely on the SPIFFE identity
of the mTLS certificate, so the rendered Configurations then carry no
accessControl at all (every app may call every method of every other app):
the launcher says so loudly. It refuses to turn mTLS off for the prod-like
profiles (prod, prod-local) and for ENVIRONMENT=prod.
"""

from __future__ import annotations

import os
import sys

FALSE = ("false", "0", "no", "off")
PROD_PROFILES = ("prod", "prod-local")

_warned: set[str] = set()


def mtls_enabled(prof: str) -> bool:
    """True unless DAPR_MTLS says false; SystemExit when it says so for a
    prod-like profile or environment."""
    value = os.environ.get("DAPR_MTLS", "true").strip().lower()
    if value not in FALSE:
        return True
    if prof in PROD_PROFILES or os.environ.get("ENVIRONMENT", "dev") == "prod":
        raise SystemExit(
            f"DAPR_MTLS=false is refused for profile {prof!r} "
            f"(ENVIRONMENT={os.environ.get('ENVIRONMENT', 'dev')}): "
            "sidecars there always use mTLS"
        )
    _warn_once(prof)
    return False


def _warn_once(prof: str) -> None:
    if prof in _warned:
        return
    _warned.add(prof)
    print(
        "\n"
        "!!! WARNING: DAPR_MTLS=false: the sidecars talk WITHOUT mTLS.\n"
        "!!! Callers' identities are unauthenticated, so the Configurations\n"
        "!!! are rendered WITHOUT accessControl: any app may call any method.\n"
        "!!! For a bench or a debugging session only, never a shared mesh.\n",
        file=sys.stderr,
        flush=True,
    )
