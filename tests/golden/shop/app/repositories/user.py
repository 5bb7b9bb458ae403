"""Queries on accounts, sessions and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.base import table_of
from app.models.user import RefreshToken, User, UserSession
from app.repositories.base import Row, fetch_one

users = table_of(User)
sessions = table_of(UserSession)
refresh_tokens = table_of(RefreshToken)

PUBLIC_COLUMNS = (users.c.id, users.c.email, users.c.role, users.c.created_at)


async def insert_user(
    db: AsyncConnection, *, email: str, password_hash: str, role: str, now: datetime
) -> Row:
    """Create an account; a taken email raises ``IntegrityError``."""
    statement = (
        insert(users)
        .values(
            id=uuid.uuid4(),
            email=email,
            password_hash=password_hash,
            role=role,
            created_at=now,
            updated_at=now,
        )
        .returning(*PUBLIC_COLUMNS)
    )
    return dict((await db.execute(statement)).mappings().one())


async def get_login(db: AsyncConnection, email: str) -> Row | None:
    """What a login needs to know about the active account with this email."""
    statement = select(
        users.c.id,
        users.c.role,
        users.c.password_hash,
        users.c.failed_logins,
        users.c.locked_until,
    ).where(users.c.email == email, users.c.is_active.is_(True))
    return await fetch_one(db, statement)


async def claim_login_attempt(
    db: AsyncConnection, user_id: uuid.UUID, *, now: datetime, window: timedelta, attempts: int
) -> Row | None:
    """Count a login attempt against an unlocked account, before its password is checked.

    The attempt counts as a failure until :func:`clear_failed_logins` says otherwise, and
    the one that reaches ``attempts`` locks the account for ``window`` at once. Check and
    write are one conditional UPDATE, so parallel guesses queue on the row: at most
    ``attempts`` of them are ever checked. The streak restarts when the previous attempt
    (the row's ``updated_at``) is older than the window. Returns the new streak and lock,
    or ``None`` when the account is locked (or gone).
    """
    streak = case((users.c.updated_at < now - window, 1), else_=users.c.failed_logins + 1)
    statement = (
        update(users)
        .where(
            users.c.id == user_id,
            or_(users.c.locked_until.is_(None), users.c.locked_until <= now),
        )
        .values(
            failed_logins=streak,
            locked_until=case((streak >= attempts, now + window), else_=None),
            updated_at=now,
        )
        .returning(users.c.failed_logins, users.c.locked_until)
    )
    row = (await db.execute(statement)).mappings().one_or_none()
    return None if row is None else dict(row)


async def get_lock(db: AsyncConnection, user_id: uuid.UUID) -> datetime | None:
    """Until when the account refuses logins (``None``: it does not)."""
    locked_until: datetime | None = await db.scalar(
        select(users.c.locked_until).where(users.c.id == user_id)
    )
    return locked_until


async def clear_failed_logins(
    db: AsyncConnection, user_id: uuid.UUID, *, lock: datetime | None
) -> None:
    """Forget the failure streak after a successful login.

    ``lock`` is what the successful attempt's own claim set: the right password on the
    last allowed attempt lifts the lock that attempt put in place, and no other.
    """
    await db.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(
            failed_logins=0,
            locked_until=case((users.c.locked_until == lock, None), else_=users.c.locked_until),
        )
    )


async def get_active_role(db: AsyncConnection, user_id: uuid.UUID) -> str | None:
    """The role of an active account, or ``None``."""
    statement = select(users.c.role).where(users.c.id == user_id, users.c.is_active.is_(True))
    return await db.scalar(statement)


async def insert_session(
    db: AsyncConnection, *, user_id: uuid.UUID, expires_at: datetime, now: datetime
) -> uuid.UUID:
    """Open a session (one login) for the account."""
    session_id = uuid.uuid4()
    await db.execute(
        insert(sessions).values(
            id=session_id, user_id=user_id, expires_at=expires_at, created_at=now, updated_at=now
        )
    )
    return session_id


async def insert_refresh_token(
    db: AsyncConnection, *, session_id: uuid.UUID, token_hash: str, now: datetime
) -> None:
    """Give the session a new refresh token; only its digest is stored."""
    await db.execute(
        insert(refresh_tokens).values(
            id=uuid.uuid4(), session_id=session_id, token_hash=token_hash, created_at=now
        )
    )


# Built once, values bound per call (see fetch_one).
_SESSION_USER = (
    select(*PUBLIC_COLUMNS)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.id == bindparam("session_id"),
        users.c.id == bindparam("user_id"),
        users.c.is_active.is_(True),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now"),
    )
)


async def get_session_user(
    db: AsyncConnection, *, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> Row | None:
    """The account behind a live session (not revoked, not expired, account active)."""
    params = {"session_id": session_id, "user_id": user_id, "now": now}
    return await fetch_one(db, _SESSION_USER, params)


async def use_refresh_token(
    db: AsyncConnection, *, token_hash: str, now: datetime
) -> uuid.UUID | None:
    """Mark an unused refresh token of a live session used; its session's id, or ``None``.

    One conditional UPDATE does the check and the write, so of two concurrent
    refreshes with the same token only one matches; the other finds it used.
    """
    live = select(sessions.c.id).where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > now)
    statement = (
        update(refresh_tokens)
        .where(
            refresh_tokens.c.token_hash == token_hash,
            refresh_tokens.c.used_at.is_(None),
            refresh_tokens.c.session_id.in_(live),
        )
        .values(used_at=now)
        .returning(refresh_tokens.c.session_id)
    )
    session_id: uuid.UUID | None = (await db.execute(statement)).scalar_one_or_none()
    return session_id


async def get_live_session_owner(
    db: AsyncConnection, session_id: uuid.UUID, *, now: datetime
) -> Row | None:
    """The account (``user_id``, ``role``) of a live session of an active account, or ``None``."""
    statement = (
        select(sessions.c.user_id, users.c.role)
        .join(users, users.c.id == sessions.c.user_id)
        .where(
            sessions.c.id == session_id,
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > now,
            users.c.is_active.is_(True),
        )
    )
    return await fetch_one(db, statement)


async def get_refresh_token(db: AsyncConnection, token_hash: str) -> Row | None:
    """A refresh token by digest, used or not: its session and when it was used."""
    statement = select(refresh_tokens.c.session_id, refresh_tokens.c.used_at).where(
        refresh_tokens.c.token_hash == token_hash
    )
    return await fetch_one(db, statement)


async def extend_session(
    db: AsyncConnection, session_id: uuid.UUID, *, expires_at: datetime, now: datetime
) -> uuid.UUID:
    """Push a session's expiry to ``expires_at``; the id of its account."""
    statement = (
        update(sessions)
        .where(sessions.c.id == session_id)
        .values(expires_at=expires_at, updated_at=now)
        .returning(sessions.c.user_id)
    )
    user_id: uuid.UUID = (await db.execute(statement)).scalar_one()
    return user_id


async def revoke_session(db: AsyncConnection, session_id: uuid.UUID, *, now: datetime) -> None:
    """End a session: its access and refresh tokens stop working at once."""
    await db.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )


async def revoke_user_sessions(db: AsyncConnection, user_id: uuid.UUID, *, now: datetime) -> None:
    """End every session of the account (all devices)."""
    await db.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )


async def set_password_hash(
    db: AsyncConnection, user_id: uuid.UUID, password_hash: str, *, now: datetime
) -> None:
    """Replace the account's password hash."""
    await db.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=password_hash, updated_at=now)
    )
