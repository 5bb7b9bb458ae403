"""Accounts and sessions: register, log in, rotate refresh tokens, log out."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.errors import AccountLocked, EmailTaken, InvalidCredentials, InvalidToken
from app.core.security import (
    create_access_token,
    dummy_password_hash,
    hash_password,
    new_refresh_token,
    token_digest,
    verify_password,
)
from app.repositories import user as repo
from app.repositories.base import Row, utcnow
from app.schemas.auth import DEFAULT_ROLE, AuthUser, Credentials


async def register(
    db: AsyncConnection, credentials: Credentials, settings: Settings, *, role: str = DEFAULT_ROLE
) -> Row:
    """Create an account; 409 EMAIL_TAKEN when the email is in use."""
    password_hash = await hash_password(credentials.password, settings)
    try:
        user = await repo.insert_user(
            db, email=credentials.email, password_hash=password_hash, role=role, now=utcnow()
        )
    except IntegrityError as exc:
        raise EmailTaken from exc
    await db.commit()
    return user


async def login(
    db: AsyncConnection, credentials: Credentials, settings: Settings
) -> dict[str, Any]:
    """A new session and its token pair.

    Unknown emails and wrong passwords get the same answer after the same amount of
    work; a streak of failures locks the account for the lockout window.
    """
    now = utcnow()
    user = await repo.get_login(db, credentials.email)
    if user is None:
        await verify_password(dummy_password_hash(settings), credentials.password, settings)
        raise InvalidCredentials
    if user["locked_until"] is not None and user["locked_until"] > now:
        raise AccountLocked((user["locked_until"] - now).total_seconds())
    if not await verify_password(user["password_hash"], credentials.password, settings):
        window = timedelta(seconds=settings.login_lockout_seconds)
        failures = await repo.count_failed_login(db, user["id"], now=now, window=window)
        if failures >= settings.login_lockout_attempts:
            await repo.lock_user(db, user["id"], until=now + window, now=now)
        await db.commit()
        raise InvalidCredentials
    if user["failed_logins"]:
        await repo.clear_failed_logins(db, user["id"])
    refresh_token = new_refresh_token()
    session_id = await repo.insert_session(
        db,
        user_id=user["id"],
        token_hash=token_digest(refresh_token),
        expires_at=now + timedelta(seconds=settings.refresh_token_ttl),
        now=now,
    )
    await db.commit()
    return _token_pair(user["id"], session_id, user["role"], refresh_token, settings)


async def refresh(db: AsyncConnection, refresh_token: str, settings: Settings) -> dict[str, Any]:
    """Rotate a refresh token: a new pair, and the old refresh token stops working."""
    now = utcnow()
    new_token = new_refresh_token()
    session = await repo.rotate_session(
        db,
        token_hash=token_digest(refresh_token),
        new_token_hash=token_digest(new_token),
        expires_at=now + timedelta(seconds=settings.refresh_token_ttl),
        now=now,
    )
    role = await repo.get_active_role(db, session["user_id"]) if session else None
    if session is None or role is None:
        raise InvalidToken("The refresh token is invalid, used or expired.")
    await db.commit()
    return _token_pair(session["user_id"], session["id"], role, new_token, settings)


async def logout(db: AsyncConnection, user: AuthUser) -> None:
    """Revoke the caller's session."""
    await repo.revoke_session(db, user.session_id, now=utcnow())
    await db.commit()


def _token_pair(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    role: str,
    refresh_token: str,
    settings: Settings,
) -> dict[str, Any]:
    access_token = create_access_token(
        user_id=user_id, session_id=session_id, role=role, now=utcnow(), settings=settings
    )
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl,
    }
