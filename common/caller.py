"""Who is calling a service, and for whom: read from the call's metadata.

Two facts travel with every proxied call:

- the **caller app id**, `dapr-caller-app-id`, which the *calling sidecar*
  appends when it forwards the call (dapr pkg/messaging/grpc_proxy.go appends
  it after a copy of the app's own metadata). An app that forges its own
  value therefore arrives with two; the sidecar's is the last one, so the last
  one counts, and several are worth an audit line. The callee's sidecar has
  already refused callers outside the access table by their mTLS identity.
- the **acting user**, forwarded by the gateway after it verified the user's
  JWT: `x-shop-user` (user id, once known), `x-shop-subject` (the token's
  subject) and `x-shop-permissions` (the token's `permissions` claim). They are
  believed only from the gateway's app id; any other caller acts for nobody.

A refusal is a `PermissionDenied` domain error (PERMISSION_DENIED with the
ErrorInfo reason PERMISSION_DENIED and the caller's app id) and one audit log
line, without a stack trace. Pure Python plus the servicer context: the gRPC
layer of each service uses it, the gateway uses `Actor.metadata`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from common.domain import DomainError

log = logging.getLogger(__name__)

CALLER_APP_HEADER = "dapr-caller-app-id"
USER_HEADER = "x-shop-user"
SUBJECT_HEADER = "x-shop-subject"
PERMISSIONS_HEADER = "x-shop-permissions"
ACTOR_HEADERS = (USER_HEADER, SUBJECT_HEADER, PERMISSIONS_HEADER)

GATEWAY = "gateway"
ORDER_APP = "order"

# Admin permissions (the `permissions` claim of the access token, Auth0 RBAC).
PRODUCTS_WRITE = "products:write"
ORDERS_WRITE = "orders:write"


@dataclass(frozen=True)
class Actor:
    """The user the gateway acts for; empty fields when it acts for nobody."""

    user_id: str = ""
    subject: str = ""
    permissions: frozenset[str] = frozenset()

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The headers the gateway sends with a call made for this user."""
        entries = [
            (USER_HEADER, self.user_id),
            (SUBJECT_HEADER, self.subject),
            (PERMISSIONS_HEADER, ",".join(sorted(self.permissions))),
        ]
        return tuple((key, value) for key, value in entries if value)


NOBODY = Actor()


class PermissionDenied(DomainError):
    """The caller may not do this; the audit line was written when raised."""

    reason = "PERMISSION_DENIED"

    def __init__(self, caller_app: str, message: str) -> None:
        super().__init__(message)
        self.caller_app = caller_app

    def facts(self) -> dict[str, str]:
        return {"caller": self.caller_app}


@dataclass(frozen=True)
class Caller:
    """The app that called (as its sidecar says) and the user it acts for."""

    app_id: str
    actor: Actor = NOBODY
    method: str = ""

    def refuse(self, why: str) -> PermissionDenied:
        """One audit line; the error to raise. `why` names no secret."""
        audit(self, f"refused: {why}")
        return PermissionDenied(self.app_id or "unknown", f"{self.method}: {why}")

    def require_app(self, *apps: str) -> Caller:
        if self.app_id not in apps:
            raise self.refuse(f"caller app {self.app_id or '(none)'} may not call")
        return self

    def require_permission(self, permission: str) -> Caller:
        self.require_app(GATEWAY)
        if not self.actor.has(permission):
            raise self.refuse(f"needs the {permission} permission")
        return self

    def acting_user(self) -> str:
        """The acting user's id; refused when the gateway named none."""
        self.require_app(GATEWAY)
        if not self.actor.user_id:
            raise self.refuse("no acting user")
        return self.actor.user_id

    def require_owner(self, owner_id: str, field: str) -> str:
        """`owner_id` as the request names it, when it is the acting user's own:
        an empty or another user's id is refused, never read as "all"."""
        user = self.acting_user()
        if owner_id != user:
            named = "an empty" if not owner_id else "another user's"
            raise self.refuse(f"{field} is {named} id, not the acting user's")
        return user


class ServicerContext(Protocol):
    def invocation_metadata(self) -> Iterable[Any]: ...


def audit(caller: Caller, what: str) -> None:
    """One line per security decision worth reading later (no stack trace)."""
    log.warning(
        "audit caller_app=%s user=%s method=%s %s",
        caller.app_id or "-",
        caller.actor.user_id or "-",
        caller.method or "-",
        what,
    )


def caller_of(context: ServicerContext, method: str = "") -> Caller:
    """The caller of this call: its app id (the last `dapr-caller-app-id`)
    and, for the gateway only, the user it acts for."""
    values: dict[str, list[str]] = {}
    for item in context.invocation_metadata() or ():
        key, value = (item.key, item.value) if hasattr(item, "key") else item
        if isinstance(value, str):
            values.setdefault(key.lower(), []).append(value)
    apps = values.get(CALLER_APP_HEADER, [])
    caller = Caller(apps[-1] if apps else "", NOBODY, method)
    if len(apps) > 1:
        audit(caller, f"several caller app ids {apps!r}; the sidecar's (last) counts")
    if caller.app_id != GATEWAY:
        if any(key in values for key in ACTOR_HEADERS):
            audit(
                caller,
                "acting-user headers from a caller other than the gateway ignored",
            )
        return caller
    permissions = values.get(PERMISSIONS_HEADER, [""])[-1]
    actor = Actor(
        user_id=values.get(USER_HEADER, [""])[-1],
        subject=values.get(SUBJECT_HEADER, [""])[-1],
        permissions=frozenset(p for p in permissions.split(",") if p),
    )
    return Caller(caller.app_id, actor, method)
