"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response

from app.core.errors import ServiceUnavailable
from app.core.responses import ok

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", operation_id="health_live", summary="The process is up")
async def health_live() -> Response:
    return ok({"status": "ok"})


@router.get("/ready", operation_id="health_ready", summary="The service can reach its database")
async def health_ready(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.engine
    try:
        # Connecting is part of the check, so it happens here rather than in a dependency.
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("readiness check failed: %s", exc.__class__.__name__)
        raise ServiceUnavailable("The database is unreachable.") from exc
    return ok({"status": "ok"})
