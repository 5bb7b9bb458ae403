"""The ASGI application: ``uvicorn app.main:app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.router import api_router
from app.api.routes import docs, health
from app.core.config import Settings
from app.core.db import create_engine
from app.core.errors import register_error_handlers
from app.core.logging import configure_logging
from app.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from app.core.migrations import upgrade
from app.core.ratelimit import RateLimiter
from app.core.responses import JSONResponse

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings`` (by default, from the environment)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade(engine)
        yield
        await engine.dispose()

    app = FastAPI(
        title="Blog API",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=JSONResponse,
        # The designed contract is served from app/openapi.json by the docs router.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.auth_limiter = RateLimiter.parse(settings.auth_rate_limit)
    register_error_handlers(app)

    # Middleware added last runs first: the request context wraps everything.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)

    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(api_router, prefix=API_PREFIX)
    return app


app = create_app()
