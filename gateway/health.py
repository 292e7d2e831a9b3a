"""`/healthz` (the process is alive) and `/readyz` (every readiness check of
the running services answers: Redis, the sidecar, the fan-out listeners)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from gateway.services import services_of

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    checks = services_of(request).readiness
    names = list(checks)
    outcomes = await asyncio.gather(*(_safe(checks[name]) for name in names))
    results = dict(zip(names, outcomes, strict=True))
    return JSONResponse(results, status_code=200 if all(outcomes) else 503)


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=2.0)
    except (RedisError, httpx.HTTPError, OSError, TimeoutError) as err:
        log.info("not ready: %r", err)
        return False
    except Exception:
        log.exception("readiness check failed")
        return False
