"""Every versioned API route, mounted under ``/api/v1`` by the app.

Each router is rate limited per client by endpoint class (GET reads, other methods
writes), with its own budget and the rates of app.core.config.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from app.api.deps import rate_limit
from app.api.feeds import FEEDS
from app.api.graphql import graphql_router, graphql_service
from app.api.graphql_entities import ENTITIES
from app.api.graphql_ws import graphql_ws_endpoint
from app.api.realtime import realtime_router
from app.api.routes import audit, auth, jobs
from app.api.routes import bookmark as bookmark_routes
from app.api.routes import comment as comment_routes
from app.api.routes import post as post_routes
from app.api.routes import tag as tag_routes
from app.core.config import Settings

# Each router and the scope of its rate limit. The entities' routes come first: they are
# the busiest, and routes are matched in order.
API_ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (post_routes.router, "post"),
    (comment_routes.router, "comment"),
    (tag_routes.router, "tag"),
    (bookmark_routes.router, "bookmark"),
    (auth.router, "auth"),
    (audit.router, "audit"),
    (jobs.router, "jobs"),
)


def include_api(app: FastAPI, prefix: str) -> None:
    """Mount every API router on ``app`` under ``prefix``, each with its rate limit.

    Mounted on the app itself, not through an enclosing router: each level of included
    routers is one more route-matching pass per request.
    """
    for router, scope in API_ROUTERS:
        app.include_router(router, prefix=prefix, dependencies=[Depends(rate_limit(scope))])


def include_graphql(app: FastAPI, settings: Settings) -> None:
    """GraphQL at ``/graphql`` (app/api/graphql.py), rate limited as a scope of its own
    (a query as a read, a mutation as a write: app.api.graphql)."""
    introspection = settings.graphql_introspection
    if introspection is None:
        introspection = settings.environment != "production"
    service = graphql_service(
        ENTITIES,
        introspection=introspection,
        max_depth=settings.graphql_max_depth,
        max_fields=settings.graphql_max_fields,
        max_rows=settings.graphql_max_rows,
    )
    app.include_router(graphql_router(service))
    # Subscriptions: the same /graphql over WebSocket (graphql-transport-ws).
    app.add_api_websocket_route("/graphql", graphql_ws_endpoint(service))


def include_realtime(app: FastAPI, prefix: str) -> None:
    """A WebSocket feed of each entity's changes at ``<prefix>/<plural>/events``."""
    app.include_router(realtime_router(tuple(FEEDS.values())), prefix=prefix)
