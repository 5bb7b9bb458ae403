"""Every versioned API route, mounted under ``/api/v1`` by the app."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import auth, comment, post, tag

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(post.router)
api_router.include_router(comment.router)
api_router.include_router(tag.router)
