"""The ASGI application, served by ``python -m app.server`` (in development, by
``uvicorn app.main:app --reload``)."""

from __future__ import annotations

import gc
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import fastpath
from app.api.router import include_api, include_graphql, include_realtime
from app.api.routes import docs, health, metrics
from app.core import statements
from app.core.cache import create_cache
from app.core.config import Settings
from app.core.db import (
    FairCheckout,
    InlineConnections,
    create_engine,
    create_inline_read_engine,
    create_read_engine,
    reads_in_autocommit,
)
from app.core.errors import register_error_handlers
from app.core.events import Hub, current_hub
from app.core.logging import configure_logging
from app.core.metrics import Metrics
from app.core.middleware import RequestContextMiddleware, StrictCORSMiddleware
from app.core.migrations import upgrade
from app.core.ratelimit import RatePolicy, create_store
from app.core.redis import connect
from app.core.responses import JSONResponse
from app.core.sqlite_writer import create_sqlite_writer
from app.fastpath.endpoints import ENDPOINTS as FAST_ENDPOINTS
from app.jobs.engines import create_worker

API_PREFIX = "/api/v1"
# What browsers on an allowed origin may send and read (CORS).
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "X-Request-ID",
]
CORS_RESPONSE_HEADERS = [
    "ETag",
    "Idempotent-Replayed",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "X-Request-ID",
]


# Generation-0 collections every 50,000 allocations instead of 700.
GC_THRESHOLDS = (50_000, 20, 20)


def native_telemetry(settings: Settings) -> dict[str, Any]:
    """FastAPI's arguments for its native OpenTelemetry (FastAPI 0.16x and later): as
    FastAPI sets it with ``OPENTELEMETRY=true``, else off. On, FastAPI looks for a
    configured provider on every request, about 5 microseconds when there is none
    (ARCHITECTURE.md)."""
    if settings.opentelemetry or "telemetry" not in inspect.signature(FastAPI).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings`` (by default, from the environment)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    statements.install()  # each request's SQL statements, on /metrics by route
    engine = create_engine(settings)
    read_engine = create_read_engine(settings, engine)
    inline_read_engine = create_inline_read_engine(settings)
    # On a SQLite file, write requests queue for the process's write connection.
    sqlite_writer = create_sqlite_writer(settings)
    # One Redis client for the rate limits and the cache; the rate-limit store closes it.
    redis = connect(settings.redis_url) if settings.redis_url else None
    rate_limit_store = create_store(
        redis, prefix=settings.rate_limit_prefix, max_keys=settings.rate_limit_max_keys
    )
    cache = create_cache(settings, redis)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade(engine)
        # What start-up built lives as long as the process: keep the collector from
        # walking it again and again, and collect less often (requests allocate many
        # short-lived objects, and reference counting frees nearly all of them).
        if settings.redis_url:
            await events.use_redis(settings.redis_url, settings.realtime_channel)
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        worker = create_worker(engine, settings) if settings.jobs_in_process else None
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            await worker.shutdown()  # lets the running job finish
        await events.close()
        await rate_limit_store.close()
        await engine.dispose()
        if inline_read_engine is not None:
            inline_read_engine.dispose()
        if sqlite_writer is not None:
            sqlite_writer.engine.dispose()
        if read_engine is not engine:
            await read_engine.dispose()

    app = FastAPI(
        title="Library API",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=JSONResponse,
        # The document's parts no route says, from the designed contract (app/openapi.json).
        description=docs.DESIGN["info"].get("description", ""),
        openapi_tags=docs.DESIGN.get("tags"),
        servers=docs.DESIGN.get("servers"),
        # FastAPI's document and Swagger UI are served by the docs router, which asks
        # for DOCS_TOKEN in production.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        **native_telemetry(settings),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.read_requests_engine = reads_in_autocommit(read_engine)
    app.state.checkout = FairCheckout(settings)
    app.state.read_checkout = (
        app.state.checkout if read_engine is engine else FairCheckout(settings)
    )
    app.state.inline_read_engine = inline_read_engine
    app.state.inline_reads = (
        InlineConnections(inline_read_engine) if inline_read_engine is not None else None
    )
    app.state.sqlite_writer = sqlite_writer
    app.state.metrics = Metrics()
    app.state.rate_limit_store = rate_limit_store
    app.state.redis = redis
    app.state.cache = cache  # cache.stats(): hits, misses and errors, for the metrics
    # Changes told to the WebSocket feeds once committed (app.core.events), current in
    # every request; through Redis to every replica when there is one.
    app.state.events = events = Hub(queue_limit=settings.realtime_queue_limit)
    app.state.request_context = ((current_hub, events),)
    app.state.rate_policy = RatePolicy(
        read=settings.rate_limit_read,
        write=settings.rate_limit_write,
        auth=settings.auth_rate_limit,
        overrides=settings.rate_limit_overrides,
    )
    register_error_handlers(app)

    # Middleware added last runs first: the request context wraps everything.
    if settings.cors_origins:
        app.add_middleware(
            StrictCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
        )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=settings.max_body_bytes,
        access_log=settings.access_log,
        deadline=settings.request_timeout or None,
    )
    # Outermost: the client's address is the proxy's until this has read X-Forwarded-For.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)

    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(metrics.router)
    include_api(app, API_PREFIX)
    include_graphql(app, settings)
    include_realtime(app, API_PREFIX)
    # GET by id, the list and POST create of each entity without FastAPI's dependency
    # solving, inside every middleware (app.fastpath); FAST_PATH=false leaves them
    # to FastAPI like every other route.
    app.state.fast_path = fastpath.install(app, FAST_ENDPOINTS) if settings.fast_path else None
    # The schemas the routes refer to that FastAPI does not write (app.api.routes.docs).
    docs.install(app)
    return app


app = create_app()
