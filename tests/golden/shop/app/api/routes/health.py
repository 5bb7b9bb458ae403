"""Liveness and readiness probes for orchestrators and load balancers.

Readiness checks each dependency, all at once, and says how long each check took. The
database, the job queue and the replica (when one is configured) are required:
without them requests fail, so one of them down is a 503. Redis down only degrades the
service (rate limits and the cache fall back to each process): it stays ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response

from app.api.routes.docs import design_responses
from app.core.errors import ServiceUnavailable
from app.core.responses import ok
from app.models.base import table_of
from app.models.jobs import Job

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])

# Seconds one dependency may take: the probe must answer before its caller gives up.
CHECK_TIMEOUT = 2.0
# The checks that make the service unready when they fail; the others degrade it.
REQUIRED = ("database", "replica", "queue")
Check = dict[str, Any]  # {"status": "ok" | "down" | "disabled", "latency_ms": float | None}
DISABLED: Check = {"status": "disabled", "latency_ms": None}
_jobs = table_of(Job)


@router.get(
    "/live",
    operation_id="health_live",
    summary="The process is up",
    responses=design_responses("health_live"),
)
async def health_live() -> Response:
    return ok({"status": "ok"})


@router.get(
    "/ready",
    operation_id="health_ready",
    summary="The service can reach its database",
    responses=design_responses("health_ready"),
)
async def health_ready(request: Request) -> Response:
    state = request.app.state
    engine: AsyncEngine = state.engine
    read_engine: AsyncEngine = state.read_engine
    # Concurrently: the probe answers within CHECK_TIMEOUT, however many checks fail.
    probes: dict[str, Awaitable[Check]] = {
        "database": _timed("database", lambda: _select_one(engine)),
        "replica": _replica_check(engine, read_engine),
        "redis": _redis_check(state),
        "queue": _timed("queue", lambda: _reach_queue(engine)),
    }
    checks = dict(zip(probes, await asyncio.gather(*probes.values()), strict=True))
    unready = [name for name in REQUIRED if checks[name]["status"] == "down"]
    if unready:
        raise ServiceUnavailable(
            f"Not ready: {', '.join(unready)} unreachable.",
            details=[
                {"field": name, "message": _describe(check)} for name, check in checks.items()
            ],
        )
    degraded = any(check["status"] == "down" for check in checks.values())
    return ok({"status": "degraded" if degraded else "ok", "checks": checks})


async def _timed(name: str, probe: Callable[[], Awaitable[object]]) -> Check:
    started = time.perf_counter()
    status = "ok"
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await probe()
    except (SQLAlchemyError, RedisError, OSError, TimeoutError) as exc:
        logger.warning("readiness: %s is unreachable (%s)", name, type(exc).__name__)
        status = "down"
    return {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


async def _select_one(engine: AsyncEngine) -> None:
    # Connecting is part of the check, so it happens here rather than in a dependency.
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _reach_queue(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(select(_jobs.c.id).limit(1))


async def _replica_check(engine: AsyncEngine, read_engine: AsyncEngine) -> Check:
    if read_engine is engine:
        return DISABLED
    return await _timed("replica", lambda: _select_one(read_engine))


async def _redis_check(state: Any) -> Check:
    """Ping the app's Redis client (``app.state.redis``); disabled without ``REDIS_URL``."""
    client = getattr(state, "redis", None)
    if not isinstance(client, Redis):
        return DISABLED
    return await _timed("redis", client.ping)


def _describe(check: Check) -> str:
    if check["latency_ms"] is None:
        return str(check["status"])
    return f"{check['status']} ({check['latency_ms']} ms)"
