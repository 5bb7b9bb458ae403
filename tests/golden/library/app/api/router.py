"""Every versioned API route, mounted under ``/api/v1`` by the app."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import auth, author, book, loan

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(author.router)
api_router.include_router(book.router)
api_router.include_router(loan.router)
