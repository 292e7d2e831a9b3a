"""Who may do what inside the mesh: the one table behind every sidecar's policy.

Deny is the default everywhere; this table lists the exceptions, read from
what the code actually does:

- CALLS: caller app -> callee app -> the gRPC methods (full names) it invokes
  through Dapr's gRPC proxying. The launcher renders it into each callee's
  Configuration (`accessControl`, checked by the callee's sidecar against the
  caller's mTLS identity). Nothing calls notification; no one calls the gateway
  (it is an HTTP app reached only from outside).
- GUEST_CALLS: the same for apps that are not part of the shop but join its
  mesh in the tests: `polyglot`, the Go client of tests/polyglot, reads
  products through a sidecar of its own.
- PUBLISHES / SUBSCRIBES: topics per app on the `pubsub` component (cart
  neither publishes nor subscribes, and does not load it)
  (`publishingScopes`, `subscriptionScopes`, `protectedTopics` in
  components/<profile>/pubsub.yaml; a unit test checks they agree). A
  subscriber's sidecar publishes its poison messages to `<topic>-dead-letter`,
  so those count as its own publications.
- APIS: the Dapr building blocks each app's sidecar exposes (`spec.api.allowed`).
  `metadata` stays open on every sidecar (Tilt's links and `devmesh status`
  read it); health endpoints are always open in Dapr. `lock`/`unlock` (the
  distributed lock, alpha: API_VERSIONS) only for product's stock lock.
- COMPONENTS: the apps each component is loaded for (`scopes:`).
- SECRETS: the secrets each app may read from the `secrets` store (deny by
  default, `spec.secrets.scopes`): notification its SMTP password, user and
  order MySQL's, product MongoDB's, the gateway Redis's (read at start where
  the server has a password: prod-local, prod; common/app_secrets.py) and
  its OIDC client secret and session secret (prod-local, prod;
  gateway/auth_secrets.py).
"""

from __future__ import annotations

from common import components, topics

TRUST_DOMAIN = "public"
NAMESPACE = "default"

_USER = "/daprshop.user.v1.UserService/"
_PRODUCT = "/daprshop.product.v1.ProductService/"
_ORDER = "/daprshop.order.v1.OrderService/"
_CART = "/daprshop.cart.v1.CartService/"

CALLS: dict[str, dict[str, tuple[str, ...]]] = {
    "gateway": {
        "user": tuple(
            _USER + m
            for m in ("GetOrCreateUser", "GetUser", "BatchGetUsers", "UpdateUser")
        ),
        "product": tuple(
            _PRODUCT + m
            for m in (
                "CreateProduct",
                "GetProduct",
                "BatchGetProducts",
                "UpdateProduct",
                "ListProducts",
            )
        ),
        "order": tuple(
            _ORDER + m
            for m in (
                "PlaceOrder",
                "GetOrder",
                "ListOrders",
                "UpdateOrderStatus",
                "CancelOrder",
            )
        ),
        "cart": tuple(
            _CART + m
            for m in (
                "GetCart",
                "AddItem",
                "SetItemQuantity",
                "RemoveItem",
                "ClearCart",
            )
        ),
    },
    "order": {
        "product": tuple(
            _PRODUCT + m for m in ("ReserveStock", "ReleaseStock", "CommitStock")
        )
    },
    # The cart checks that a product exists and how much of it is in stock.
    "cart": {"product": (_PRODUCT + "GetProduct",)},
}

GUEST_CALLS: dict[str, dict[str, tuple[str, ...]]] = {
    "polyglot": {"product": (_PRODUCT + "GetProduct", _PRODUCT + "ListProducts")},
}

SUBSCRIBES: dict[str, tuple[str, ...]] = {
    "gateway": (
        topics.PRODUCT_UPDATED,
        topics.STOCK_CHANGED,
        topics.ORDER_STATUS_CHANGED,
    ),
    "user": (topics.ORDER_CREATED, topics.ORDER_STATUS_CHANGED),
    "product": (),
    "order": (),
    "notification": (topics.USER_CREATED, topics.ORDER_NOTIFICATION),
}

_OWN_PUBLICATIONS: dict[str, tuple[str, ...]] = {
    "gateway": (),
    "user": (topics.USER_CREATED, topics.ORDER_NOTIFICATION),
    "product": (topics.PRODUCT_UPDATED, topics.STOCK_CHANGED),
    "order": (topics.ORDER_CREATED, topics.ORDER_STATUS_CHANGED),
    "notification": (),
}

PUBLISHES: dict[str, tuple[str, ...]] = {
    app: (*own, *(topics.dead_letter(t) for t in SUBSCRIBES[app]))
    for app, own in _OWN_PUBLICATIONS.items()
}

APIS: dict[str, tuple[str, ...]] = {
    "gateway": ("state", "secrets", "metadata"),
    "user": ("state", "publish", "secrets", "metadata"),
    "product": ("state", "publish", "secrets", "lock", "unlock", "metadata"),
    "order": ("state", "publish", "secrets", "metadata"),
    "notification": ("state", "secrets", "bindings", "metadata"),
    "cart": ("state", "metadata"),
}

# (http, grpc) version of each API in the allow-list; stable ones are v1.
API_VERSIONS: dict[str, tuple[str, str]] = {
    "lock": ("v1.0-alpha1", "v1alpha1"),
    "unlock": ("v1.0-alpha1", "v1alpha1"),
}
STABLE_API_VERSION = ("v1.0", "v1")

COMPONENTS: dict[str, tuple[str, ...]] = {
    components.PUBSUB: ("gateway", "user", "product", "order", "notification"),
    components.CACHE: ("gateway",),
    components.IDEMPOTENCY: ("user", "product", "order", "notification"),
    components.SMS: ("notification",),
    components.SECRETS: ("notification",),
    components.RATELIMIT: ("gateway",),
    components.LOCK: ("product",),
    components.CARTS: ("cart",),
}

# The secrets holding the servers' passwords (key `password`) that apps read
# themselves: their names reach the apps as MYSQL_PASSWORD_SECRET /
# MONGODB_PASSWORD_SECRET / REDIS_PASSWORD_SECRET.
MYSQL_SECRET = "mysql"
MONGODB_SECRET = "mongodb"
REDIS_SECRET = "redis"
# The gateway's own credentials (one value each, its key the secret's name):
# names given as OIDC_CLIENT_SECRET_SECRET / SESSION_SECRET_SECRET.
OIDC_CLIENT_SECRET = "oidc-client-secret"
SESSION_SECRET = "session-secret"

SECRETS: dict[str, tuple[str, ...]] = {
    "gateway": (REDIS_SECRET, OIDC_CLIENT_SECRET, SESSION_SECRET),
    "user": (MYSQL_SECRET,),
    "product": (MONGODB_SECRET,),
    "order": (MYSQL_SECRET,),
    "notification": ("smtp-password",),
    "cart": (),
}


def callers_of(callee: str) -> dict[str, tuple[str, ...]]:
    """caller -> methods it may invoke on `callee`."""
    return {
        caller: methods[callee]
        for caller, methods in {**CALLS, **GUEST_CALLS}.items()
        if callee in methods
    }


def scope_string(table: dict[str, tuple[str, ...]]) -> str:
    """`app=t1,t2;app2=` as Dapr's publishingScopes/subscriptionScopes want it;
    every app is listed, so one with no topics gets none (not all)."""
    return ";".join(f"{app}={','.join(names)}" for app, names in table.items())


def all_topics() -> tuple[str, ...]:
    """Every topic and dead-letter topic: all of them protected."""
    return (*topics.ALL, *(topics.dead_letter(t) for t in topics.ALL))


if __name__ == "__main__":
    import sys

    from devmesh.access_doc import main

    sys.exit(main(sys.argv[1:]))
