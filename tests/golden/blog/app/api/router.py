"""Every versioned API route, mounted under ``/api/v1`` by the app.

Each router is rate limited per client by endpoint class (GET reads, other methods
writes), with its own budget and the rates of app.core.config.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.deps import rate_limit
from app.api.routes import audit, auth, bookmark, comment, jobs, post, tag

api_router = APIRouter()
# The entities' routes first: the busiest, and routes are matched in order.
api_router.include_router(post.router, dependencies=[Depends(rate_limit("post"))])
api_router.include_router(comment.router, dependencies=[Depends(rate_limit("comment"))])
api_router.include_router(tag.router, dependencies=[Depends(rate_limit("tag"))])
api_router.include_router(bookmark.router, dependencies=[Depends(rate_limit("bookmark"))])
api_router.include_router(auth.router, dependencies=[Depends(rate_limit("auth"))])
api_router.include_router(audit.router, dependencies=[Depends(rate_limit("audit"))])
api_router.include_router(jobs.router, dependencies=[Depends(rate_limit("jobs"))])
