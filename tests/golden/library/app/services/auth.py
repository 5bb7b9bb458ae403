"""Accounts and sessions: register, log in, rotate refresh tokens, log out, change password.

A session is one login and a family of refresh tokens. Each refresh uses up the token
it presents and issues the next one; a used token presented again can only be a copy
(stolen, or replayed), so the whole session is revoked: its refresh tokens and its
access tokens stop working at once (OAuth 2.0 Security BCP, refresh token rotation).
"""

from __future__ import annotations

import logging
import uuid
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
    token_digest,
    verify_password,
)
from app.jobs.queue import enqueue
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


async def register(
    db: AsyncConnection, credentials: Credentials, settings: Settings, *, role: str = DEFAULT_ROLE
) -> Row:
    """Create an account; 409 EMAIL_TAKEN when the email is in use.

    Saying that an email is taken tells a caller that the account exists. That is a
    deliberate trade: a sign-up form must say why it failed, and without a mail
    round-trip there is no silent way to say it. Registration is rate limited per
    client address, and the hash is computed before the insert, so a taken email
    costs the caller as much as a new one.
    """
    password_hash = await hash_password(credentials.password, settings)
    try:
        user = await repo.insert_user(
            db, email=credentials.email, password_hash=password_hash, role=role, now=utcnow()
        )
    except IntegrityError as exc:
        raise EmailTaken from exc
    # Queued in the same transaction: no welcome mail for an account that was not made.
    await enqueue(db, "user.registered", {"user_id": str(user["id"]), "email": user["email"]})
    await db.commit()
    return user


async def login(
    db: AsyncConnection, credentials: LoginRequest, settings: Settings
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
    if not await _check_password(db, user, credentials.password, settings, now=now):
        raise InvalidCredentials
    tokens = await _open_session(db, user["id"], user["role"], settings, now=now)
    await db.commit()
    return tokens


async def refresh(db: AsyncConnection, refresh_token: str, settings: Settings) -> dict[str, Any]:
    """Rotate a refresh token: a new pair, and the presented token is used up.

    A used token presented again revokes its session (401 REFRESH_TOKEN_REUSED); an
    unknown token, or one of a revoked or expired session, is 401 INVALID_TOKEN.
    """
    now = utcnow()
    digest = token_digest(refresh_token)
    session_id = await repo.use_refresh_token(db, token_hash=digest, now=now)
    if session_id is None:
        raise await _refusal(db, digest, now=now)
    user_id = await repo.extend_session(
        db, session_id, expires_at=now + timedelta(seconds=settings.refresh_token_ttl), now=now
    )
    role = await repo.get_active_role(db, user_id)
    if role is None:
        raise InvalidToken("The refresh token is invalid, used or expired.")
    new_token = new_refresh_token()
    await repo.insert_refresh_token(
        db, session_id=session_id, token_hash=token_digest(new_token), now=now
    )
    await db.commit()
    return _token_pair(user_id, session_id, role, new_token, settings)


async def logout(db: AsyncConnection, user: AuthUser) -> None:
    """Revoke the caller's session."""
    await repo.revoke_session(db, user.session_id, now=utcnow())
    await db.commit()


async def logout_all(db: AsyncConnection, user: AuthUser) -> None:
    """Revoke every session of the caller, on every device."""
    await repo.revoke_user_sessions(db, user.id, now=utcnow())
    await db.commit()


async def change_password(
    db: AsyncConnection, user: AuthUser, change: PasswordChange, settings: Settings
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
    account = await repo.get_login(db, user.email)
    if account is None:  # deactivated since the request was authenticated
        raise InvalidToken
    if not await _check_password(db, account, change.current_password, settings, now=now):
        raise ValidationFailed(
            details=[
                {"field": "current_password", "message": "The current password is not correct."}
            ]
        )
    password_hash = await hash_password(change.new_password, settings)
    await repo.set_password_hash(db, user.id, password_hash, now=now)
    await repo.revoke_user_sessions(db, user.id, now=now)
    tokens = await _open_session(db, user.id, user.role, settings, now=now)
    await db.commit()
    return tokens


async def _check_password(
    db: AsyncConnection, account: Row, password: str, settings: Settings, *, now: datetime
) -> bool:
    """Whether ``password`` is the account's; failures count toward the lockout.

    A locked account is refused (429 ACCOUNT_LOCKED) before the password is looked
    at, so even the right password waits for the lock to expire.
    """
    if account["locked_until"] is not None and account["locked_until"] > now:
        raise AccountLocked((account["locked_until"] - now).total_seconds())
    if not await verify_password(account["password_hash"], password, settings):
        window = timedelta(seconds=settings.login_lockout_seconds)
        failures = await repo.count_failed_login(db, account["id"], now=now, window=window)
        if failures >= settings.login_lockout_attempts:
            await repo.lock_user(db, account["id"], until=now + window, now=now)
        await db.commit()
        return False
    if account["failed_logins"]:
        await repo.clear_failed_logins(db, account["id"])
    return True


async def _refusal(db: AsyncConnection, digest: str, *, now: datetime) -> InvalidToken:
    """The 401 for a refresh token that could not be used; a reused one revokes its session."""
    known = await repo.get_refresh_token(db, digest)
    if known is not None and known["used_at"] is not None:
        await repo.revoke_session(db, known["session_id"], now=now)
        await db.commit()
        # The session id, never the token: enough to find the account in the logs.
        logger.warning("refresh token reused: session %s revoked", known["session_id"])
        return RefreshTokenReused()
    return InvalidToken("The refresh token is invalid, used or expired.")


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
