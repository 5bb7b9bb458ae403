"""``GET /metrics``: the Prometheus metrics of this process (an ops endpoint, not the API).

It is neither rate limited nor in the OpenAPI document. With ``METRICS_TOKEN`` set it
asks for that bearer token; clients from ``OPS_ALLOW_IPS`` need none; in production,
without a token, it is hidden (404) from everyone else. The reverse proxy of
compose.yaml does not forward it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from app.core.metrics import Metrics, cache_metrics, job_metrics
from app.core.security import ops_access

router = APIRouter(tags=["ops"])


def _authorize(request: Request) -> None:
    settings = request.app.state.settings
    ops_access(
        client=request.client.host if request.client else None,
        authorization=request.headers.get("Authorization", ""),
        token=settings.metrics_token,
        settings=settings,
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Request counts and latencies, and what the cache and the job queue report now."""
    _authorize(request)
    state = request.app.state
    registry: Metrics = state.metrics
    extra = cache_metrics(getattr(state, "cache", None))
    extra += await job_metrics(state.engine)
    return Response(registry.exposition(extra), media_type=CONTENT_TYPE_LATEST)
