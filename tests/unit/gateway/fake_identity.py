"""The services' identity rules (common.caller), as the fakes apply them: the
gateway must name the acting user in every user-scoped call, and forward the
admin permission for admin calls, or the fake refuses as the service would."""

from __future__ import annotations

from common.caller import Actor
from gateway import clients


def acting_user(actor: Actor) -> str:
    if not actor.user_id:
        raise clients.PermissionDenied("no acting user", caller="gateway")
    return actor.user_id


def require_owner(actor: Actor, owner_id: str) -> None:
    """An owner must be the acting user: empty or another's is refused."""
    if owner_id != acting_user(actor):
        raise clients.PermissionDenied("not the acting user", caller="gateway")


def require_permission(actor: Actor, permission: str) -> None:
    if not actor.has(permission):
        raise clients.PermissionDenied(f"needs {permission}", caller="gateway")
