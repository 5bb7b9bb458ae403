"""Dependencies of the routes: the database connection, settings, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.errors import AuthenticationRequired, InvalidToken, RateLimited
from app.core.ratelimit import RateLimiter
from app.core.security import decode_access_token
from app.repositories import user as user_repo
from app.repositories.base import utcnow
from app.schemas.auth import AuthUser


async def get_db(request: Request) -> AsyncIterator[AsyncConnection]:
    """A pooled connection for one request.

    Services commit explicitly when they write; anything left uncommitted (a failed
    request) is rolled back when the connection returns to the pool.
    """
    async with request.app.state.engine.connect() as connection:
        yield connection


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[AsyncConnection, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = HTTPBearer(auto_error=False)


async def get_optional_user(
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AuthUser | None:
    """The caller, or ``None`` without a token; a bad token is a 401, never anonymous."""
    if credentials is None:
        return None
    claims = decode_access_token(credentials.credentials, settings)
    if claims is None:
        raise InvalidToken
    # The session row decides, so logout and revocation take effect immediately; the
    # role comes from the account, not from the token, for the same reason.
    row = await user_repo.get_session_user(
        db, session_id=claims.session_id, user_id=claims.user_id, now=utcnow()
    )
    if row is None:
        raise InvalidToken
    return AuthUser(session_id=claims.session_id, **row)


OptionalUser = Annotated[AuthUser | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> AuthUser:
    """The caller; 401 AUTHENTICATION_REQUIRED without a token."""
    if user is None:
        raise AuthenticationRequired
    return user


CurrentUser = Annotated[AuthUser, Depends(get_current_user)]


async def limit_auth_attempts(request: Request) -> None:
    """Per-client rate limit of the login and register endpoints (429 RATE_LIMITED)."""
    limiter: RateLimiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "unknown"
    retry_after = limiter.hit(f"{request.url.path} {client}")
    if retry_after is not None:
        raise RateLimited(retry_after)
