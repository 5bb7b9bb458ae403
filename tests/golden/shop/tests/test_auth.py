"""Accounts and sessions: register, login, lockout, rate limits, refresh-token rotation and
reuse detection, logout, password change and policy, caching and secrecy of responses."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api import deps
from app.core import security
from app.core.security import create_access_token
from app.main import create_app
from app.repositories.base import utcnow
from app.repositories.user import refresh_tokens, users
from app.services import auth as auth_service
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import assert_error, data

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
AUTH = "/api/v1/auth"
EMAIL = "ada@example.com"
PASSWORD = "T0&r correct horse battery staple"
NEW_PASSWORD = "N3w! another horse battery staple"
LOCKOUT_ATTEMPTS = 5
LOCKOUT_SECONDS = 900
# Passwords the policy refuses, each for one reason only.
WEAK_PASSWORDS = [
    pytest.param(PASSWORD[:7], id="too_short"),
    pytest.param(PASSWORD.ljust(129, "x"), id="too_long"),
    pytest.param(PASSWORD[:4] + EMAIL, id="contains_the_email"),
    pytest.param("P@ssw0rd" * 1, id="easy_to_guess"),
    pytest.param("password".ljust(8, "1"), id="top_ten"),
    pytest.param("12345678" * 1, id="digits"),
    pytest.param(" " * 8, id="spaces"),
]


async def register(
    client: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(f"{AUTH}/register", json={"email": email, "password": password})


async def login(
    client: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(f"{AUTH}/refresh", json={"refresh_token": refresh_token})


async def change_password(
    client: httpx.AsyncClient,
    tokens: dict[str, str],
    current: str = PASSWORD,
    new: str = NEW_PASSWORD,
) -> httpx.Response:
    body = {"current_password": current, "new_password": new}
    return await client.post(f"{AUTH}/password", json=body, headers=bearer(tokens))


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@asynccontextmanager
async def client_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client calling from ``address``, so per-address rate limits stay out of the way."""
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        yield other


async def fail_logins(app: FastAPI, count: int, *, first: int = 1) -> None:
    for attempt in range(first, first + count):
        async with client_at(app, f"10.0.0.{attempt}") as other:
            assert_error(await login(other, password="wrong password!"), 401, "INVALID_CREDENTIALS")


# -- register and the password policy --------------------------------------------------


async def test_register_creates_an_account_with_the_default_role(client: httpx.AsyncClient) -> None:
    user = data(await register(client, EMAIL.title()), 201)
    assert user["email"] == EMAIL
    assert user["role"] == "customer"
    assert set(user) == {"id", "email", "role", "created_at"}


async def test_register_twice_is_email_taken(client: httpx.AsyncClient) -> None:
    # Deliberate: registration says the email is taken (and is rate limited per address).
    data(await register(client), 201)
    assert_error(await register(client, EMAIL.upper()), 409, "EMAIL_TAKEN")


async def test_register_validates_email_and_password(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json={"email": "nope", "password": "short"})
    assert_error(response, 422, "VALIDATION_ERROR", fields={"email", "password"})


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
async def test_password_policy_refuses_weak_passwords(
    client: httpx.AsyncClient, password: str
) -> None:
    assert_error(
        await register(client, password=password), 422, "VALIDATION_ERROR", fields={"password"}
    )
    # The same password stripped of its flaw is accepted: only the flaw was refused.
    data(await register(client), 201)


def fullwidth(text: str) -> str:
    """``text`` in fullwidth forms (U+FF01 to U+FF5E), which look like ASCII."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param(EMAIL.upper(), id="upper_case"),
        pytest.param(fullwidth(EMAIL), id="fullwidth"),
        pytest.param(fullwidth(EMAIL.upper()), id="fullwidth_upper_case"),
    ],
)
async def test_look_alike_emails_are_one_account(
    client: httpx.AsyncClient, look_alike: str
) -> None:
    data(await register(client), 201)
    assert_error(await register(client, look_alike), 409, "EMAIL_TAKEN")
    tokens = data(await login(client, look_alike))
    assert data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))["email"] == EMAIL


@pytest.mark.parametrize(
    "hidden",
    [
        pytest.param("\u200b", id="zero_width_space"),
        pytest.param("\u200d", id="zero_width_joiner"),
        pytest.param("\u202e", id="right_to_left_override"),
        pytest.param("\x07", id="control"),
        pytest.param("\x00", id="nul"),
    ],
)
async def test_emails_with_invisible_characters_are_refused(
    client: httpx.AsyncClient, hidden: str
) -> None:
    data(await register(client), 201)
    disguised = EMAIL[:2] + hidden + EMAIL[2:]
    assert_error(await register(client, disguised), 422, "VALIDATION_ERROR", fields={"email"})
    assert_error(await login(client, disguised), 422, "VALIDATION_ERROR", fields={"email"})


# -- login and lockout --------------------------------------------------------------------


async def test_login_returns_a_token_pair_for_me(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client, EMAIL.upper()))
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3600
    me = data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))
    assert me["email"] == EMAIL


async def test_unknown_email_and_wrong_password_look_the_same(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    data(await register(client), 201)
    checks: list[str] = []
    verify = security.verify_password

    async def counted(password_hash: str, password: str, settings: Any) -> bool:
        checks.append(password)
        return await verify(password_hash, password, settings)

    monkeypatch.setattr(auth_service, "verify_password", counted)
    wrong = assert_error(
        await login(client, password="wrong password!"), 401, "INVALID_CREDENTIALS"
    )
    unknown = assert_error(await login(client, "bob@example.com"), 401, "INVALID_CREDENTIALS")
    assert wrong["message"] == unknown["message"]
    # An unknown email costs a password hash check too, so timing does not tell them apart.
    assert checks == ["wrong password!", PASSWORD]


async def test_lockout_after_repeated_failures(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    data(await register(client), 201)
    # Each failure comes from another address: the lockout is per account.
    await fail_logins(app, LOCKOUT_ATTEMPTS)
    # While locked, even the right password is refused.
    locked = await login(client)
    assert_error(locked, 429, "ACCOUNT_LOCKED")
    assert 0 < int(locked.headers["Retry-After"]) <= LOCKOUT_SECONDS
    # Once the lock expires, the right password works again.
    await db.execute(update(users).values(locked_until=utcnow() - timedelta(seconds=1)))
    await db.commit()
    data(await login(client))


async def test_parallel_guesses_cannot_pass_the_lockout(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    data(await register(client), 201)
    verify = security.verify_password

    async def slow(password_hash: str, password: str, settings: Any) -> bool:
        await asyncio.sleep(0.05)  # every guess is in flight before the first is checked
        return await verify(password_hash, password, settings)

    monkeypatch.setattr(auth_service, "verify_password", slow)

    async def guess(n: int) -> httpx.Response:
        async with client_at(app, f"10.0.3.{n}") as other:
            return await login(other, password="wrong password!")

    guesses = 2 * LOCKOUT_ATTEMPTS + 2
    codes = [r.status_code for r in await asyncio.gather(*(guess(n + 1) for n in range(guesses)))]
    # Each attempt is counted before its password is checked: only the allowed number
    # are checked at all, the rest find the account locked.
    assert codes.count(401) == LOCKOUT_ATTEMPTS, codes
    assert codes.count(429) == guesses - LOCKOUT_ATTEMPTS, codes
    assert_error(await login(client), 429, "ACCOUNT_LOCKED")


async def test_password_hashing_holds_no_database_connection(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every connection a request takes comes through app.api.deps.connect, whatever the
    # database and path (pooled, SQLite's one writer, inline reads): count those held.
    in_use = 0
    seen: list[int] = []
    opened = deps.connect

    @asynccontextmanager
    async def counted(request: Request) -> AsyncIterator[AsyncConnection]:
        nonlocal in_use
        async with opened(request) as connection:
            in_use += 1
            try:
                yield connection
            finally:
                in_use -= 1

    def watched(work: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any) -> Any:
            seen.append(in_use)
            return await work(*args)

        return call

    monkeypatch.setattr(deps, "connect", counted)
    monkeypatch.setattr(auth_service, "hash_password", watched(security.hash_password))
    monkeypatch.setattr(auth_service, "verify_password", watched(security.verify_password))
    data(await register(client), 201)
    tokens = data(await login(client))
    assert_error(await login(client, "nobody@example.com"), 401, "INVALID_CREDENTIALS")
    data(await change_password(client, tokens))
    # register, login, unknown login, password change (current and new): a connection
    # held while argon2 runs would starve every other request of the pool under a flood.
    assert seen == [0, 0, 0, 0, 0]


async def test_password_hashing_is_bounded(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = app.state.settings
    active = peak = 0
    lock = threading.Lock()
    original = PasswordHasher.verify

    def watched(self: PasswordHasher, password_hash: str, password: str) -> bool:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", watched)
    hashed = await security.hash_password(PASSWORD, settings)
    checks = [security.verify_password(hashed, PASSWORD, settings) for _ in range(8)]
    assert all(await asyncio.gather(*checks))
    assert peak == settings.password_hash_concurrency


async def test_a_success_resets_the_failure_streak(app: FastAPI, client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    await fail_logins(app, LOCKOUT_ATTEMPTS - 1)
    async with client_at(app, "10.0.1.1") as other:
        data(await login(other))
    await fail_logins(app, LOCKOUT_ATTEMPTS - 1, first=100)
    async with client_at(app, "10.0.1.2") as other:
        data(await login(other))


async def test_register_and_login_are_rate_limited() -> None:
    # An app with the spec's own auth rate: the other tests run with a generous one, so
    # that a tight rate (1/second) does not refuse their second request.
    application = create_app(make_settings(auth_rate_limit="5/minute"))
    try:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for n in range(5):
                data(await register(client, f"user{n}@example.com"), 201)
            limited = await register(client, "one-more@example.com")
            assert_error(limited, 429, "RATE_LIMITED")
            assert int(limited.headers["Retry-After"]) > 0
            # Login has its own budget.
            assert_error(
                await login(client, "user0@example.com", "wrong password!"),
                401,
                "INVALID_CREDENTIALS",
            )
    finally:
        await application.state.rate_limit_store.reset()
        await application.state.rate_limit_store.close()
        await application.state.engine.dispose()
        if application.state.inline_read_engine is not None:
            application.state.inline_read_engine.dispose()
        if application.state.sqlite_writer is not None:
            application.state.sqlite_writer.engine.dispose()


# -- refresh-token rotation and reuse detection -------------------------------------------


async def test_refresh_rotates_the_refresh_token(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    rotated = data(await refresh(client, tokens["refresh_token"]))
    assert rotated["refresh_token"] != tokens["refresh_token"]
    data(await client.get(f"{AUTH}/me", headers=bearer(rotated)))
    # The new refresh token works once more; the old one is used up.
    data(await refresh(client, rotated["refresh_token"]))
    assert_error(await refresh(client, tokens["refresh_token"]), 401, "REFRESH_TOKEN_REUSED")


async def age_used_refresh_tokens(db: AsyncConnection, seconds: float) -> None:
    """Move the use of every used refresh token ``seconds`` into the past."""
    used = refresh_tokens.c.used_at.is_not(None)
    await db.execute(
        update(refresh_tokens).where(used).values(used_at=utcnow() - timedelta(seconds=seconds))
    )
    await db.commit()


async def test_reused_refresh_token_revokes_the_session(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    data(await register(client), 201)
    stolen = data(await login(client))
    elsewhere = data(await login(client))
    rotated = data(await refresh(client, stolen["refresh_token"]))
    # Presented again after the reuse interval: a copy, not a retry.
    await age_used_refresh_tokens(db, app.state.settings.refresh_reuse_seconds + 1)
    reused = await refresh(client, stolen["refresh_token"])
    assert_error(reused, 401, "REFRESH_TOKEN_REUSED")
    assert reused.headers["WWW-Authenticate"].startswith("Bearer")
    # Every token of that session is dead: the newest refresh token and the access tokens.
    assert_error(await refresh(client, rotated["refresh_token"]), 401, "INVALID_TOKEN")
    assert_error(await client.get(f"{AUTH}/me", headers=bearer(rotated)), 401, "INVALID_TOKEN")
    assert_error(await client.get(f"{AUTH}/me", headers=bearer(stolen)), 401, "INVALID_TOKEN")
    # Another login of the same account is another session, untouched.
    data(await client.get(f"{AUTH}/me", headers=bearer(elsewhere)))
    data(await refresh(client, elsewhere["refresh_token"]))


async def test_parallel_refreshes_of_one_token_share_one_successor(
    client: httpx.AsyncClient,
) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    # A client that retries a refresh (its answer lost, or sent twice at once) must not
    # end its own session: within the reuse interval every retry gets the same successor.
    answers = await asyncio.gather(*(refresh(client, tokens["refresh_token"]) for _ in range(10)))
    successors = {data(answer)["refresh_token"] for answer in answers}
    assert len(successors) == 1
    (successor,) = successors
    assert successor != tokens["refresh_token"]
    data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))
    rotated = data(await refresh(client, successor))
    data(await client.get(f"{AUTH}/me", headers=bearer(rotated)))


async def test_a_retry_after_its_successor_was_used_is_reuse(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    successor = data(await refresh(client, tokens["refresh_token"]))
    newest = data(await refresh(client, successor["refresh_token"]))
    # The family moved on: the first token again can only be a copy, even within the interval.
    assert_error(await refresh(client, tokens["refresh_token"]), 401, "REFRESH_TOKEN_REUSED")
    assert_error(await refresh(client, newest["refresh_token"]), 401, "INVALID_TOKEN")


async def test_refresh_tokens_are_stored_only_as_digests(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    stored = (await db.execute(select(refresh_tokens.c.token_hash))).scalars().all()
    assert stored == [hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()]


async def test_refresh_refuses_an_unknown_token(client: httpx.AsyncClient) -> None:
    assert_error(await refresh(client, "not-a-refresh-token"), 401, "INVALID_TOKEN")


# -- logout and password change -----------------------------------------------------------


async def test_logout_revokes_the_session(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    response = await client.post(f"{AUTH}/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert_error(await client.get(f"{AUTH}/me", headers=bearer(tokens)), 401, "INVALID_TOKEN")
    assert_error(await refresh(client, tokens["refresh_token"]), 401, "INVALID_TOKEN")


async def test_logout_all_revokes_every_session(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    here, there = data(await login(client)), data(await login(client))
    response = await client.post(f"{AUTH}/logout-all", headers=bearer(here))
    assert response.status_code == 204
    for tokens in (here, there):
        assert_error(await client.get(f"{AUTH}/me", headers=bearer(tokens)), 401, "INVALID_TOKEN")
        assert_error(await refresh(client, tokens["refresh_token"]), 401, "INVALID_TOKEN")


async def test_password_change_revokes_every_session(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    here, there = data(await login(client)), data(await login(client))
    fresh = data(await change_password(client, here))
    for tokens in (here, there):
        assert_error(await client.get(f"{AUTH}/me", headers=bearer(tokens)), 401, "INVALID_TOKEN")
        assert_error(await refresh(client, tokens["refresh_token"]), 401, "INVALID_TOKEN")
    # The caller gets a new session; the new password works, the old one no longer does
    # (last: a failed login counts toward the lockout).
    data(await client.get(f"{AUTH}/me", headers=bearer(fresh)))
    data(await refresh(client, fresh["refresh_token"]))
    data(await login(client, password=NEW_PASSWORD))
    assert_error(await login(client), 401, "INVALID_CREDENTIALS")


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    wrong = await change_password(client, tokens, current="not my password")
    assert_error(wrong, 422, "VALIDATION_ERROR", fields={"current_password"})
    # Nothing changed: the session lives on and the old password still works.
    data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))
    data(await login(client))


@pytest.mark.parametrize(
    "password", [*WEAK_PASSWORDS, pytest.param(PASSWORD, id="same_as_current")]
)
async def test_password_change_refuses_weak_passwords(
    client: httpx.AsyncClient, password: str
) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    response = await change_password(client, tokens, new=password)
    assert_error(response, 422, "VALIDATION_ERROR", fields={"new_password"})
    data(await client.get(f"{AUTH}/me", headers=bearer(tokens)))


async def test_wrong_current_password_counts_toward_the_lockout(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    data(await register(client), 201)
    tokens = data(await login(client))
    # From a new address each time: the per-address limit must not be what stops them.
    for n in range(LOCKOUT_ATTEMPTS):
        async with client_at(app, f"10.0.2.{n + 1}") as other:
            refused = await change_password(other, tokens, current="not my password")
        assert_error(refused, 422, "VALIDATION_ERROR")
    assert_error(await change_password(client, tokens), 429, "ACCOUNT_LOCKED")
    assert_error(await login(client), 429, "ACCOUNT_LOCKED")


# -- what auth responses reveal -----------------------------------------------------------


async def test_auth_responses_are_never_cached(client: httpx.AsyncClient) -> None:
    created = await register(client)
    invalid = await register(client, "nope", "short")
    tokens = data(await login(client))
    responses = [
        created,
        invalid,
        await login(client, password="wrong password!"),
        await refresh(client, tokens["refresh_token"]),
        await client.get(f"{AUTH}/me", headers=bearer(tokens)),
        await client.get(f"{AUTH}/me"),
        await client.post(f"{AUTH}/logout", headers=bearer(tokens)),
    ]
    assert [r.status_code for r in responses] == [201, 422, 401, 200, 200, 401, 204]
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.url
        assert response.headers["Pragma"] == "no-cache", response.request.url


async def test_responses_never_carry_passwords_or_hashes(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    created = await register(client)
    hashes = [(await db.execute(select(users.c.password_hash))).scalar_one()]
    tokens = data(await login(client))
    responses = [
        created,
        await register(client, password=PASSWORD + EMAIL),
        await client.get(f"{AUTH}/me", headers=bearer(tokens)),
        await refresh(client, tokens["refresh_token"]),
        await change_password(client, tokens, new=PASSWORD + EMAIL),
        await change_password(client, tokens),
        # Last: a failed login counts toward the lockout.
        await login(client, password="wrong password!"),
    ]
    assert [r.status_code for r in responses] == [201, 422, 200, 200, 422, 200, 401]
    hashes.append((await db.execute(select(users.c.password_hash))).scalar_one())
    hashes += (await db.execute(select(refresh_tokens.c.token_hash))).scalars().all()
    for response in responses:
        text = response.text
        for secret in (PASSWORD, NEW_PASSWORD, "password_hash", "token_hash", *hashes):
            assert secret not in text, response.request.url


# -- tokens -------------------------------------------------------------------------------


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
    assert_error(await refresh(client, tokens["refresh_token"]), 401, "INVALID_TOKEN")
    assert_error(await login(client), 401, "INVALID_CREDENTIALS")
