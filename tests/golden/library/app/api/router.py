"""Every versioned API route, mounted under ``/api/v1`` by the app.

Each router is rate limited per client by endpoint class (GET reads, other methods
writes), with its own budget and the rates of app.core.config.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.deps import rate_limit
from app.api.routes import audit, auth, author, book, loan

api_router = APIRouter()
# The entities' routes first: the busiest, and routes are matched in order.
api_router.include_router(author.router, dependencies=[Depends(rate_limit("author"))])
api_router.include_router(book.router, dependencies=[Depends(rate_limit("book"))])
api_router.include_router(loan.router, dependencies=[Depends(rate_limit("loan"))])
api_router.include_router(auth.router, dependencies=[Depends(rate_limit("auth"))])
api_router.include_router(audit.router, dependencies=[Depends(rate_limit("audit"))])
