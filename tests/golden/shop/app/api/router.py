"""Every versioned API route, mounted under ``/api/v1`` by the app.

Each router is rate limited per client by endpoint class (GET reads, other methods
writes), with its own budget and the rates of app.core.config.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from app.api.deps import rate_limit
from app.api.routes import audit, auth, jobs
from app.api.routes import customer as customer_routes
from app.api.routes import order as order_routes
from app.api.routes import order_item as order_item_routes
from app.api.routes import product as product_routes
from app.api.routes import review as review_routes

# Each router and the scope of its rate limit. The entities' routes come first: they are
# the busiest, and routes are matched in order.
API_ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (customer_routes.router, "customer"),
    (product_routes.router, "product"),
    (order_routes.router, "order"),
    (order_item_routes.router, "order_item"),
    (review_routes.router, "review"),
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
