"""Names of the Dapr components the code uses. Every profile under components/
defines each of them (tests/unit/components checks it)."""

PUBSUB = "pubsub"
CACHE = "cache"
IDEMPOTENCY = "idempotency"
SMS = "sms"
SECRETS = "secrets"
RATELIMIT = "ratelimit"
LOCK = "lock"

ALL = (PUBSUB, CACHE, IDEMPOTENCY, SMS, SECRETS, RATELIMIT, LOCK)
