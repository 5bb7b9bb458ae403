"""``GET /metrics``: the Prometheus metrics of this process (an ops endpoint, not the API).

It is neither rate limited nor in the OpenAPI document. With ``METRICS_TOKEN`` set it
asks for that bearer token; the reverse proxy of compose.yaml does not forward it.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from app.core.errors import AuthenticationRequired, InvalidToken
from app.core.metrics import Metrics, cache_metrics, job_metrics

router = APIRouter(tags=["ops"])


def _authorize(request: Request) -> None:
    token = request.app.state.settings.metrics_token
    expected = token.get_secret_value() if token else ""
    if not expected:  # METRICS_TOKEN unset or empty: open, like the health probes
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        raise AuthenticationRequired
    if not secrets.compare_digest(presented.strip().encode(), expected.encode()):
        raise InvalidToken


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Request counts and latencies, and what the cache and the job queue report now."""
    _authorize(request)
    state = request.app.state
    registry: Metrics = state.metrics
    extra = cache_metrics(getattr(state, "cache", None))
    extra += await job_metrics(state.engine)
    return Response(registry.exposition(extra), media_type=CONTENT_TYPE_LATEST)
