"""How a call ended, as one short word for the verdict lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TypeVar

import grpc

from common.error_details import from_rpc_error

T = TypeVar("T")


def outcome(err: grpc.RpcError) -> str:
    """`CODE`, or `CODE/REASON` when the error details name another reason."""
    code = err.code().name if hasattr(err, "code") else "UNKNOWN"
    detail = from_rpc_error(err)
    reason = detail.reason.value if detail is not None else ""
    return code if reason in ("", code) else f"{code}/{reason}"


def attempt(call: Callable[[], T], tally: Counter[str]) -> T | None:
    """Runs `call`; counts `ok` or how it failed; its result or None."""
    try:
        result = call()
    except grpc.RpcError as err:
        tally[outcome(err)] += 1
        return None
    tally["ok"] += 1
    return result


def summary(tally: Counter[str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(tally.items())) or "none"
