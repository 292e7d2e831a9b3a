"""Rate limiting shared by every gateway process: GCRA in one Redis Lua script.

- A bucket (`Rule`) refills at `per_minute` units and holds at most `burst`;
  each request takes its cost (GraphQL: a query 1, a mutation 5). The script
  reads Redis' own clock, so processes with skewed clocks still agree.
- Keys: `ratelimit:<rule>:sub:<subject>` for authenticated callers, else
  `ratelimit:<rule>:ip:<client address>`. X-Forwarded-For is read only when the
  direct peer is a configured trusted proxy, right to left, stopping at the
  first hop that is not one.
- Over the limit: `RateLimitExceeded` (HTTP 429 with Retry-After and the
  RateLimit-* headers). Redis unreachable: a rule that fails closed raises
  `RateLimiterDown` (HTTP 503); one that fails open lets the request through.
  Either way it is logged (at most every 10 s per rule).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.config import Network

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV: burst, emission interval (s per unit), cost.
# Returns {allowed (0/1), remaining, retry_after (s), reset_after (s)}; floats as
# strings because Lua numbers become integers on the way out.
GCRA = """
local key = KEYS[1]
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', key) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - interval * burst
if now < allow_at then
  local remaining = math.floor((now - (tat - interval * burst)) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, tostring(allow_at - now), tostring(tat - now)}
end
local ttl = math.ceil(new_tat - now)
if ttl < 1 then ttl = 1 end
redis.call('SET', key, tostring(new_tat), 'EX', ttl)
local remaining = math.floor((now - allow_at) / interval)
return {1, remaining, '0', tostring(new_tat - now)}
"""


@dataclass(frozen=True)
class Rule:
    name: str
    per_minute: int
    burst: int
    # What to do when Redis cannot be reached.
    fail_open: bool

    @property
    def interval(self) -> float:
        """Seconds for one unit to refill."""
        return 60.0 / self.per_minute


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    reset_after: float

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.remaining)),
            "RateLimit-Reset": str(math.ceil(self.reset_after)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


class RateLimitExceeded(Exception):
    """Answered with 429; `body` is shaped for the endpoint (GraphQL or OAuth)."""

    def __init__(self, decision: Decision, body: dict[str, Any]) -> None:
        super().__init__("rate limit exceeded")
        self.decision = decision
        self.body = body


class RateLimiterDown(Exception):
    """Redis is unreachable and the rule fails closed: answered with 503."""

    def __init__(self, rule: str) -> None:
        super().__init__(f"rate limiter unavailable for {rule}")
        self.rule = rule


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str = "ratelimit") -> None:
        self._script = redis.register_script(GCRA)
        self._prefix = prefix
        self._last_warning: dict[str, float] = {}

    async def hit(self, rule: Rule, identity: str, cost: int) -> Decision | None:
        """Take `cost` units from the caller's bucket.

        Returns None when Redis is unreachable and the rule fails open; raises
        RateLimiterDown when it fails closed.
        """
        key = f"{self._prefix}:{rule.name}:{identity}"
        try:
            allowed, remaining, retry_after, reset_after = await self._script(
                keys=[key], args=[rule.burst, repr(rule.interval), cost]
            )
        except (RedisError, OSError) as err:
            self._warn(rule, err)
            if rule.fail_open:
                return None
            raise RateLimiterDown(rule.name) from err
        return Decision(
            allowed=bool(int(allowed)),
            limit=rule.burst,
            remaining=int(remaining),
            retry_after=float(retry_after),
            reset_after=float(reset_after),
        )

    def _warn(self, rule: Rule, err: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning.get(rule.name, -math.inf) < 10:
            return
        self._last_warning[rule.name] = now
        log.warning(
            "rate limiter cannot reach Redis (%s: failing %s): %r",
            rule.name,
            "open" if rule.fail_open else "closed",
            err,
        )


# --- who is asking ---------------------------------------------------------------


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(value: str, proxies: Sequence[Network]) -> bool:
    address = _ip(value)
    return address is not None and any(address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[Network]
) -> str:
    """The client's address: the direct peer, unless that is a trusted proxy."""
    if not peer:
        return "unknown"
    if not forwarded_for or not _trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            address = _ip(hop)
            return str(address) if address else hop[:64]
    return hops[0] if hops else peer


def identity_key(subject: str | None, address: str) -> str:
    return f"sub:{subject}" if subject else f"ip:{address}"


# --- what a GraphQL request costs ---------------------------------------------------


@functools.lru_cache(maxsize=512)
def _operation_types(query: str, max_tokens: int) -> tuple[dict[str, str], str | None]:
    """(operation name -> type, the type of the only operation if just one)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return {}, None
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    named = {op.name.value: op.operation.value for op in operations if op.name}
    only = operations[0].operation.value if len(operations) == 1 else None
    return named, only


def operation_type(
    query: str, operation_name: str | None, max_tokens: int = 2000
) -> str | None:
    """ "query", "mutation", "subscription", or None if it cannot be told."""
    named, only = _operation_types(query, max_tokens)
    if operation_name:
        return named.get(operation_name)
    if only:
        return only
    # Several operations and no name: charge as the costliest.
    if OperationType.MUTATION.value in named.values():
        return OperationType.MUTATION.value
    return None


def graphql_cost(
    payload: object, query_cost: int, mutation_cost: int, max_tokens: int = 2000
) -> tuple[int, bool]:
    """(cost, whether any operation is a mutation) of a GraphQL request body or
    GET parameters; unreadable requests cost a query (they fail anyway)."""
    requests = payload if isinstance(payload, list) else [payload]
    total, mutation = 0, False
    for request in requests:
        kind = None
        if isinstance(request, Mapping):
            query, name = request.get("query"), request.get("operationName")
            if isinstance(query, str):
                kind = operation_type(
                    query, name if isinstance(name, str) else None, max_tokens
                )
        if kind == OperationType.MUTATION.value:
            total += mutation_cost
            mutation = True
        else:
            total += query_cost
    return max(total, query_cost), mutation


def graphql_limited_body(decision: Decision) -> dict[str, Any]:
    seconds = max(1, math.ceil(decision.retry_after))
    return {
        "errors": [
            {
                "message": f"Too many requests; retry in {seconds} s.",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds},
            }
        ]
    }


def oauth_limited_body(decision: Decision) -> dict[str, Any]:
    seconds = max(1, math.ceil(decision.retry_after))
    return {
        "error": "rate_limited",
        "error_description": f"too many requests; retry in {seconds} s",
    }
