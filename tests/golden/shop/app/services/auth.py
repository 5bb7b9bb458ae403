"""Accounts and sessions: register, log in, rotate refresh tokens, log out, change password.

A session is one login and a family of refresh tokens. Each refresh uses up the token
it presents and issues the next one; a used token presented again can only be a copy
(stolen, or replayed), so the whole session is revoked: its refresh tokens and its
access tokens stop working at once (OAuth 2.0 Security BCP, refresh token rotation).
The one exception is a retry: within ``REFRESH_REUSE_SECONDS`` of its first use, a
token gets the same successor again, as long as that successor is still unused.

Password hashing takes far longer than any query, so the functions that hash open
their database connection (``connect``) only around their queries: a flood of logins
waits for the hashing threads, not for connections the rest of the service needs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.errors import (
    AccountLocked,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    ValidationFailed,
)
from app.core.security import (
    create_access_token,
    dummy_password_hash,
    hash_password,
    new_refresh_token,
    successor_refresh_token,
    token_digest,
    verify_password,
)
from app.repositories import user as repo
from app.repositories.base import Row, utcnow
from app.schemas.auth import (
    DEFAULT_ROLE,
    AuthUser,
    Credentials,
    LoginRequest,
    PasswordChange,
    password_problem,
)

logger = logging.getLogger(__name__)

# Opens a database connection for a few queries: ``async with connect() as db: ...``.
Connect = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


@dataclass(frozen=True)
class Claim:
    """A password attempt counted before its check; ``lock`` is the lock it set, if any."""

    lock: datetime | None


async def register(
    connect: Connect, credentials: Credentials, settings: Settings, *, role: str = DEFAULT_ROLE
) -> Row:
    """Create an account; 409 EMAIL_TAKEN when the email is in use.

    Saying that an email is taken tells a caller that the account exists. That is a
    deliberate trade: a sign-up form must say why it failed, and without a mail
    round-trip there is no silent way to say it. Registration is rate limited per
    client address, and the hash is computed before the insert, so a taken email
    costs the caller as much as a new one.
    """
    password_hash = await hash_password(credentials.password, settings)
    async with connect() as db:
        try:
            user = await repo.insert_user(
                db, email=credentials.email, password_hash=password_hash, role=role, now=utcnow()
            )
        except IntegrityError as exc:
            raise EmailTaken from exc
        await db.commit()
    return user


async def login(connect: Connect, credentials: LoginRequest, settings: Settings) -> dict[str, Any]:
    """A new session and its token pair.

    Unknown emails and wrong passwords get the same answer after the same amount of
    work; a streak of failures locks the account for the lockout window.
    """
    now = utcnow()
    async with connect() as db:
        user = await repo.get_login(db, credentials.email)
        claim = None if user is None else await _claim_attempt(db, user, settings, now=now)
    if user is None or claim is None:
        await verify_password(dummy_password_hash(settings), credentials.password, settings)
        raise InvalidCredentials
    if not await verify_password(user["password_hash"], credentials.password, settings):
        raise InvalidCredentials
    async with connect() as db:
        await repo.clear_failed_logins(db, user["id"], lock=claim.lock)
        tokens = await _open_session(db, user["id"], user["role"], settings, now=now)
        await db.commit()
    return tokens


async def refresh(connect: Connect, refresh_token: str, settings: Settings) -> dict[str, Any]:
    """Rotate a refresh token: a new pair, and the presented token is used up.

    A used token presented again revokes its session (401 REFRESH_TOKEN_REUSED), unless
    it is a retry within the reuse interval; an unknown token, or one of a revoked or
    expired session, is 401 INVALID_TOKEN.
    """
    now = utcnow()
    digest = token_digest(refresh_token)
    successor = successor_refresh_token(refresh_token, settings)
    async with connect() as db:
        session_id = await repo.use_refresh_token(db, token_hash=digest, now=now)
        if session_id is None:
            return await _retry_or_refuse(db, digest, successor, settings, now=now)
        user_id = await repo.extend_session(
            db, session_id, expires_at=now + timedelta(seconds=settings.refresh_token_ttl), now=now
        )
        role = await repo.get_active_role(db, user_id)
        if role is None:
            raise InvalidToken("The refresh token is invalid, used or expired.")
        await repo.insert_refresh_token(
            db, session_id=session_id, token_hash=token_digest(successor), now=now
        )
        await db.commit()
    return _token_pair(user_id, session_id, role, successor, settings)


async def logout(db: AsyncConnection, user: AuthUser) -> None:
    """Revoke the caller's session."""
    await repo.revoke_session(db, user.session_id, now=utcnow())
    await db.commit()


async def logout_all(db: AsyncConnection, user: AuthUser) -> None:
    """Revoke every session of the caller, on every device."""
    await repo.revoke_user_sessions(db, user.id, now=utcnow())
    await db.commit()


async def change_password(
    connect: Connect, user: AuthUser, change: PasswordChange, settings: Settings
) -> dict[str, Any]:
    """Set a new password, end every session of the account, and open a new one.

    Whoever else held a session (a stolen token, a forgotten device) is signed out.
    A wrong current password counts toward the lockout like a failed login, so a
    stolen access token cannot be used to guess the password.
    """
    problem = password_problem(change.new_password, email=user.email)
    if problem:
        raise ValidationFailed(details=[{"field": "new_password", "message": problem}])
    now = utcnow()
    async with connect() as db:
        account = await repo.get_login(db, user.email)
        if account is None:  # deactivated since the request was authenticated
            raise InvalidToken
        claim = await _claim_attempt(db, account, settings, now=now)
    if claim is None:
        raise InvalidToken  # the account went away between the two queries
    if not await verify_password(account["password_hash"], change.current_password, settings):
        raise ValidationFailed(
            details=[
                {"field": "current_password", "message": "The current password is not correct."}
            ]
        )
    password_hash = await hash_password(change.new_password, settings)
    async with connect() as db:
        await repo.clear_failed_logins(db, user.id, lock=claim.lock)
        await repo.set_password_hash(db, user.id, password_hash, now=now)
        await repo.revoke_user_sessions(db, user.id, now=now)
        tokens = await _open_session(db, user.id, user.role, settings, now=now)
        await db.commit()
    return tokens


async def _claim_attempt(
    db: AsyncConnection, account: Row, settings: Settings, *, now: datetime
) -> Claim | None:
    """Count a password attempt on ``account`` before the password is checked (and commit).

    ``None`` when the account is gone. A locked account is refused here (429
    ACCOUNT_LOCKED), so even the right password waits for the lock to expire, and
    parallel guesses cannot slip past the lock while earlier ones are still checked.
    """
    window = timedelta(seconds=settings.login_lockout_seconds)
    claim = await repo.claim_login_attempt(
        db, account["id"], now=now, window=window, attempts=settings.login_lockout_attempts
    )
    await db.commit()
    if claim is None:
        locked_until = await repo.get_lock(db, account["id"])
        if locked_until is not None and locked_until > now:
            raise AccountLocked((locked_until - now).total_seconds())
        return None
    return Claim(lock=claim["locked_until"])


async def _retry_or_refuse(
    db: AsyncConnection, digest: str, successor: str, settings: Settings, *, now: datetime
) -> dict[str, Any]:
    """The answer to a refresh token that could not be used up.

    A retry within the reuse interval, while its successor is unused and the session
    live, gets the successor again; any other used token revokes its session.
    """
    known = await repo.get_refresh_token(db, digest)
    if known is None or known["used_at"] is None:
        raise InvalidToken("The refresh token is invalid, used or expired.")
    if now - known["used_at"] <= timedelta(seconds=settings.refresh_reuse_seconds):
        next_token = await repo.get_refresh_token(db, token_digest(successor))
        owner = await repo.get_live_session_owner(db, known["session_id"], now=now)
        if next_token is not None and next_token["used_at"] is None and owner is not None:
            return _token_pair(
                owner["user_id"], known["session_id"], owner["role"], successor, settings
            )
    await repo.revoke_session(db, known["session_id"], now=now)
    await db.commit()
    # The session id, never the token: enough to find the account in the logs.
    logger.warning("refresh token reused: session %s revoked", known["session_id"])
    raise RefreshTokenReused


async def _open_session(
    db: AsyncConnection, user_id: uuid.UUID, role: str, settings: Settings, *, now: datetime
) -> dict[str, Any]:
    """A new session with its first refresh token (the caller commits)."""
    refresh_token = new_refresh_token()
    session_id = await repo.insert_session(
        db, user_id=user_id, expires_at=now + timedelta(seconds=settings.refresh_token_ttl), now=now
    )
    await repo.insert_refresh_token(
        db, session_id=session_id, token_hash=token_digest(refresh_token), now=now
    )
    return _token_pair(user_id, session_id, role, refresh_token, settings)


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
