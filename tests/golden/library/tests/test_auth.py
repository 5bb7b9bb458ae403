"""Accounts and sessions: register, login, lockout, rate limits, refresh, logout, me."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.security import create_access_token
from app.repositories.base import utcnow
from app.repositories.user import users
from tests.factories import Account
from tests.helpers import assert_error, data

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
AUTH = "/api/v1/auth"
PASSWORD = "correct horse battery staple"


async def register(client: httpx.AsyncClient, email: str = "ada@example.com") -> httpx.Response:
    return await client.post(f"{AUTH}/register", json={"email": email, "password": PASSWORD})


async def login(
    client: httpx.AsyncClient, email: str = "ada@example.com", password: str = PASSWORD
) -> httpx.Response:
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_register_creates_an_account_with_the_default_role(client: httpx.AsyncClient) -> None:
    user = data(await register(client, "Ada@Example.com"), 201)
    assert user["email"] == "ada@example.com"
    assert user["role"] == "member"
    assert set(user) == {"id", "email", "role", "created_at"}


async def test_register_twice_is_email_taken(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    assert_error(await register(client, "ADA@example.com"), 409, "EMAIL_TAKEN")


async def test_register_validates_email_and_password(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json={"email": "nope", "password": "short"})
    assert_error(response, 422, "VALIDATION_ERROR", fields={"email", "password"})


async def test_login_returns_a_token_pair_for_me(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client, "ADA@example.com"))
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 1800
    me = data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))
    assert me["email"] == "ada@example.com"


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    wrong = assert_error(
        await login(client, password="wrong password!"), 401, "INVALID_CREDENTIALS"
    )
    unknown = assert_error(await login(client, "bob@example.com"), 401, "INVALID_CREDENTIALS")
    assert wrong["message"] == unknown["message"]


async def test_repeated_failures_lock_the_account(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    data(await register(client), 201)
    # Each attempt comes from another address, so the per-client rate limit stays out
    # of the way: the lockout is per account.
    for attempt in range(5):
        transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{attempt + 1}", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
            assert_error(await login(other, password="wrong password!"), 401, "INVALID_CREDENTIALS")
    locked = await login(client)
    assert_error(locked, 429, "ACCOUNT_LOCKED")
    assert int(locked.headers["Retry-After"]) > 0
    # Once the lock expires, the right password works again.
    await db.execute(update(users).values(locked_until=utcnow() - timedelta(seconds=1)))
    await db.commit()
    data(await login(client))


async def test_a_success_resets_the_failure_streak(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    assert_error(await login(client, password="wrong password!"), 401, "INVALID_CREDENTIALS")
    data(await login(client))


async def test_register_and_login_are_rate_limited(client: httpx.AsyncClient) -> None:
    for n in range(5):
        data(await register(client, f"user{n}@example.com"), 201)
    limited = await register(client, "one-more@example.com")
    assert_error(limited, 429, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) > 0
    # Login has its own budget.
    assert_error(
        await login(client, "user0@example.com", "wrong password!"), 401, "INVALID_CREDENTIALS"
    )


async def test_refresh_rotates_the_refresh_token(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    rotated = data(
        await client.post(f"{AUTH}/refresh", json={"refresh_token": tokens["refresh_token"]})
    )
    assert rotated["refresh_token"] != tokens["refresh_token"]
    data(await client.get(f"{AUTH}/me", headers=bearer(rotated)))
    reused = await client.post(f"{AUTH}/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(reused, 401, "INVALID_TOKEN")


async def test_logout_revokes_the_session(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    response = await client.post(f"{AUTH}/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert_error(await client.get(f"{AUTH}/me", headers=bearer(tokens)), 401, "INVALID_TOKEN")
    refresh = await client.post(f"{AUTH}/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(refresh, 401, "INVALID_TOKEN")


async def test_me_needs_a_valid_token(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    missing = await client.get(f"{AUTH}/me")
    assert_error(missing, 401, "AUTHENTICATION_REQUIRED")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    garbage = {"Authorization": "Bearer not-a-token"}
    assert_error(await client.get(f"{AUTH}/me", headers=garbage), 401, "INVALID_TOKEN")
    user = await make_user()
    expired = create_access_token(
        user_id=user.id,
        session_id=user.session_id,
        role=user.role,
        now=utcnow() - timedelta(days=2),
        settings=app.state.settings,
    )
    stale = {"Authorization": f"Bearer {expired}"}
    assert_error(await client.get(f"{AUTH}/me", headers=stale), 401, "INVALID_TOKEN")


async def test_a_deactivated_account_loses_its_sessions(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    await db.execute(update(users).values(is_active=False))
    await db.commit()
    assert_error(await client.get(f"{AUTH}/me", headers=bearer(tokens)), 401, "INVALID_TOKEN")
    refresh = await client.post(f"{AUTH}/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(refresh, 401, "INVALID_TOKEN")
    assert_error(await login(client), 401, "INVALID_CREDENTIALS")
