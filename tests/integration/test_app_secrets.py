"""The apps' passwords come from the secret store, never from their
environment: on prod-local user, order and product get the database URL with
the user name only, the gateway REDIS_URL with none, each with the secret's
name, and read the password through their own sidecar's secrets API at start
(common/app_secrets.py); the gateway reads its OIDC client secret and session
secret so too (gateway/auth_secrets.py). No app or sidecar process holds any
secret value of the store in its environment; each sidecar serves its app
exactly the secrets devmesh/access.py allows. On full and lite the local
servers have no password; the calls below show every profile's apps reach
their servers."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from common.caller import Actor
from devmesh import access, local_secrets, ports
from devmesh.ports import APP_NAMES
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration import backends
from tests.integration.helpers import (
    ADMIN,
    dapr_token,
    http_json,
    sidecar_channel,
    sidecar_metadata,
)

pytestmark = pytest.mark.integration

# What each app's process must be told (names, never the values); the
# secrets' names are those of local_secrets.passwords(): the servers'
# accounts, and the gateway's OIDC client secret and session secret.
SECRET_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "user": (("MYSQL_PASSWORD_SECRET", access.MYSQL_SECRET),),
    "order": (("MYSQL_PASSWORD_SECRET", access.MYSQL_SECRET),),
    "product": (("MONGODB_PASSWORD_SECRET", access.MONGODB_SECRET),),
    "gateway": (
        ("REDIS_PASSWORD_SECRET", access.REDIS_SECRET),
        ("OIDC_CLIENT_SECRET_SECRET", access.OIDC_CLIENT_SECRET),
        ("SESSION_SECRET_SECRET", access.SESSION_SECRET),
    ),
}
PROBED_SECRETS = (
    "mysql",
    "mongodb",
    "smtp-password",
    "redis",
    "kafka",
    access.OIDC_CLIENT_SECRET,
    access.SESSION_SECRET,
)


def _prod_local(profile: str) -> None:
    if profile != "prod-local":
        pytest.skip("only prod-local's servers have passwords")


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.decode().partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def _stored_secrets(mesh: Any) -> dict[str, str]:
    """Every secret value of the store file the launcher wrote for the running
    sidecars (its public keys, user names, addresses and the CA, left out),
    plus root's password."""
    path = Path(_environ(mesh.pids("gateway")[1])["SHOP_SECRETS_FILE"])
    values = local_secrets.secret_values(path)
    assert values, path
    return {**values, "mysql-root": local_secrets.passwords()["mysql-root"]}


def test_no_app_or_sidecar_environment_carries_a_stored_secret(
    mesh: Any, profile: str
) -> None:
    """DAPR_API_TOKEN and APP_API_TOKEN are in both environments by design
    (how Dapr gives each app and its sidecar their tokens); they are in no
    store, so this test does not look at them."""
    _prod_local(profile)
    stored = _stored_secrets(mesh)
    for app in APP_NAMES:
        app_pid, sidecar_pid = mesh.pids(app)
        app_env = _environ(app_pid)
        assert app_env["APP_ID"] == app  # the app's own process
        for name, secret in SECRET_NAMES.get(app, ()):
            assert app_env[name] == secret
        for pid in (app_pid, sidecar_pid):
            values = "\0".join(_environ(pid).values())
            # Name what leaked, never its value.
            leaked = [s for s, value in stored.items() if value in values]
            assert not leaked, f"{app} (pid {pid}) environment holds {leaked}"


def _read_secret(app: str, secret: str) -> tuple[int, bytes]:
    port = ports.load().apps[app].http
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1.0/secrets/secrets/{secret}",
        headers={"dapr-api-token": dapr_token(app)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.mark.parametrize("app", APP_NAMES)
def test_each_sidecar_serves_exactly_the_secrets_its_app_may_read(
    mesh: Any, profile: str, app: str
) -> None:
    _prod_local(profile)
    for secret in PROBED_SECRETS:
        status, body = _read_secret(app, secret)
        allowed = secret in access.SECRETS[app]
        assert (status == 200) == allowed, (app, secret, status)
    for _, secret in SECRET_NAMES.get(app, ()):
        status, body = _read_secret(app, secret)
        assert local_secrets.passwords()[secret].encode() in body


def test_the_apps_reach_their_databases(mesh: Any, shared_env: dict[str, str]) -> None:
    channel = sidecar_channel(via="gateway")
    tag = uuid.uuid4().hex[:10]
    subject = f"secrets|{tag}"
    user = (
        user_pb2_grpc.UserServiceStub(channel)
        .GetOrCreateUser(  # type: ignore[no-untyped-call]
            user_pb2.GetOrCreateUserRequest(
                subject=subject, email=f"{tag}@example.com", name=f"Reader {tag}"
            ),
            metadata=sidecar_metadata(shared_env, "user", actor=Actor(subject=subject)),
            timeout=10,
        )
        .user
    )
    product = product_pb2_grpc.ProductServiceStub(channel).CreateProduct(  # type: ignore[no-untyped-call]
        product_pb2.CreateProductRequest(
            name=f"Secret {tag}",
            category="tests",
            price=money_pb2.Money(amount=100, currency="USD"),
            stock=1,
        ),
        metadata=sidecar_metadata(shared_env, "product", actor=ADMIN),
        timeout=10,
    )
    orders = order_pb2_grpc.OrderServiceStub(channel).ListOrders(  # type: ignore[no-untyped-call]
        order_pb2.ListOrdersRequest(user_id=user.id, page_size=5),
        metadata=sidecar_metadata(shared_env, "order", actor=Actor(user.id, subject)),
        timeout=10,
    )
    assert list(orders.orders) == []
    # What the apps wrote is in the databases, read with the store's passwords.
    with backends.mysql("shop_users") as db, db.cursor() as cur:
        cur.execute("SELECT subject FROM users WHERE id = %s", (user.id,))
        assert cur.fetchone() == {"subject": subject}
    with backends.mongo() as client:
        assert client["shop"]["products"].find_one({"_id": product.id}) is not None
    # The gateway's own Redis client (rate limits, fan-out) is logged in.
    gateway = ports.load().apps["gateway"].app
    ready = http_json(f"http://127.0.0.1:{gateway}/readyz")
    assert ready["redis"] is True and ready["fanout"] is True


def test_no_app_log_carries_a_stored_secret(mesh: Any, profile: str) -> None:
    """After the apps have read and used the passwords (the tests above); an
    app and its sidecar write one log."""
    _prod_local(profile)
    stored = _stored_secrets(mesh)
    for app in APP_NAMES:
        log = mesh.log_path(app)
        text = log.read_text(errors="replace")
        leaked = [s for s, value in stored.items() if value in text]
        assert not leaked, f"{log.name} contains {', '.join(leaked)}"
