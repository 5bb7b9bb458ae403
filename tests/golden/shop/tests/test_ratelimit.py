"""Rate limits: per client and endpoint class, per entity, on login, shared through Redis.

Each test builds its own app with small limits (the suite's app has generous ones) on the
same database; when ``REDIS_URL`` is set every app counts in that Redis.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.api import deps
from app.core import security
from app.core.config import Settings
from app.core.ratelimit import MemoryStore, Rate, RedisStore, Usage
from app.core.security import AccessClaims
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

PATH = "/api/v1/customers"
SCOPE = "customer"
LOGIN = "/api/v1/auth/login"
LIMITS: dict[str, Any] = {
    "rate_limit_read": "3/minute",
    "rate_limit_write": "2/minute",
    "rate_limit_overrides": {},
    "auth_rate_limit": "2/minute",
}
REDIS_URL = os.environ.get("REDIS_URL")
MakeUser = Callable[..., Awaitable[Account]]


class Apps:
    """New apps with small limits, and clients that call them from a given address."""

    def __init__(self, stack: AsyncExitStack) -> None:
        self._stack = stack

    def app(self, **overrides: Any) -> FastAPI:
        application = create_app(make_settings(**{**LIMITS, **overrides}))
        self._stack.push_async_callback(application.state.engine.dispose)
        self._stack.push_async_callback(application.state.rate_limit_store.close)
        return application

    async def client(
        self, application: FastAPI | None = None, address: str = "192.0.2.1"
    ) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=application or self.app(), client=(address, 50000))
        http = httpx.AsyncClient(transport=transport, base_url="http://test")
        return await self._stack.enter_async_context(http)


@pytest.fixture
async def apps() -> AsyncIterator[Apps]:
    async with AsyncExitStack() as stack:
        yield Apps(stack)


def limit_headers(response: httpx.Response) -> tuple[int, int, int]:
    """RateLimit-Limit, -Remaining and -Reset of a response."""
    return (
        int(response.headers["RateLimit-Limit"]),
        int(response.headers["RateLimit-Remaining"]),
        int(response.headers["RateLimit-Reset"]),
    )


def assert_limited(response: httpx.Response, limit: int) -> None:
    """A 429 RATE_LIMITED with Retry-After and the headers of a used-up window."""
    assert_error(response, 429, "RATE_LIMITED")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    count, remaining, reset = limit_headers(response)
    assert (count, remaining) == (limit, 0)
    assert 0 < reset <= 60


async def test_reads_are_limited_with_headers(apps: Apps) -> None:
    client = await apps.client()
    for left in (2, 1, 0):
        response = await client.get(PATH)
        assert response.status_code != 429
        limit, remaining, reset = limit_headers(response)
        assert (limit, remaining) == (3, left)
        assert 0 < reset <= 60
    assert_limited(await client.get(PATH), 3)


async def test_writes_are_limited_with_headers(apps: Apps) -> None:
    client = await apps.client()
    for left in (1, 0):
        response = await client.post(PATH, json={})
        assert response.status_code != 429
        assert limit_headers(response)[:2] == (2, left)
    assert_limited(await client.post(PATH, json={}), 2)
    # Reads have their own budget.
    assert (await client.get(PATH)).status_code != 429


async def test_limits_are_kept_per_user(apps: Apps, make_user: MakeUser) -> None:
    application = apps.app()
    client = await apps.client(application)
    first, second = await make_user(), await make_user()
    for _ in range(3):
        assert (await client.get(PATH, headers=first.headers)).status_code != 429
    assert_limited(await client.get(PATH, headers=first.headers), 3)
    # Another user, and anonymous calls from the same address, are not affected.
    assert (await client.get(PATH, headers=second.headers)).status_code != 429
    assert (await client.get(PATH)).status_code != 429


async def test_a_token_is_verified_once_per_request(
    apps: Apps, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await apps.client()
    account = await make_user()
    calls: list[str] = []
    verify = security.decode_access_token

    def counted(token: str, settings: Settings) -> AccessClaims | None:
        calls.append(token)
        return verify(token, settings)

    monkeypatch.setattr(deps, "decode_access_token", counted)
    # The limiter keys on the user and the route needs the caller: one check serves both.
    response = await client.get("/api/v1/auth/me", headers=account.headers)
    assert response.status_code == 200, response.text
    assert len(calls) == 1


async def test_anonymous_limits_are_kept_per_address(apps: Apps) -> None:
    application = apps.app()
    here = await apps.client(application, "192.0.2.1")
    there = await apps.client(application, "192.0.2.2")
    for _ in range(3):
        assert (await here.get(PATH)).status_code != 429
    assert_limited(await here.get(PATH), 3)
    assert (await there.get(PATH)).status_code != 429


async def test_ipv6_clients_are_limited_per_64_network(apps: Apps) -> None:
    application = apps.app()
    one = await apps.client(application, "2001:db8:0:1::1")
    neighbour = await apps.client(application, "2001:db8:0:1:ffff::2")
    elsewhere = await apps.client(application, "2001:db8:0:2::1")
    for _ in range(3):
        assert (await one.get(PATH)).status_code != 429
    # Another address of the same /64 is the same subscriber: no new budget.
    assert_limited(await neighbour.get(PATH), 3)
    assert (await elsewhere.get(PATH)).status_code != 429


async def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(
    apps: Apps,
) -> None:
    application = apps.app(forwarded_allow_ips=["10.0.0.1"])
    proxy = await apps.client(application, "10.0.0.1")
    stranger = await apps.client(application, "192.0.2.9")
    first, second = {"X-Forwarded-For": "203.0.113.1"}, {"X-Forwarded-For": "203.0.113.2"}
    for _ in range(3):
        assert (await proxy.get(PATH, headers=first)).status_code != 429
    assert_limited(await proxy.get(PATH, headers=first), 3)
    assert (await proxy.get(PATH, headers=second)).status_code != 429
    # From anyone else the header is ignored: it cannot buy a new budget.
    for _ in range(3):
        assert (await stranger.get(PATH, headers=first)).status_code != 429
    assert_limited(await stranger.get(PATH, headers=second), 3)


async def test_an_invalid_token_counts_against_the_address(apps: Apps) -> None:
    client = await apps.client()
    for n in range(3):
        forged = {"Authorization": f"Bearer not-a-token-{n}"}
        assert (await client.get(PATH, headers=forged)).status_code != 429
    assert_limited(await client.get(PATH), 3)


async def test_entity_override_applies(apps: Apps) -> None:
    client = await apps.client(apps.app(rate_limit_overrides={f"{SCOPE}.write": "1/minute"}))
    assert limit_headers(await client.post(PATH, json={}))[:2] == (1, 0)
    assert_limited(await client.post(PATH, json={}), 1)
    # Only writes are overridden: reads keep the service's rate.
    assert limit_headers(await client.get(PATH))[:2] == (3, 2)


async def test_login_is_limited_per_address(apps: Apps) -> None:
    # Writes in general get more than login does: the 429 below is login's own limit.
    application = apps.app(rate_limit_write="10/minute")
    here = await apps.client(application, "192.0.2.1")
    there = await apps.client(application, "192.0.2.2")
    credentials = {"email": "nobody@example.com", "password": "wrong password!"}
    for _ in range(2):
        assert_error(await here.post(LOGIN, json=credentials), 401, "INVALID_CREDENTIALS")
    assert_limited(await here.post(LOGIN, json=credentials), 2)
    assert_error(await there.post(LOGIN, json=credentials), 401, "INVALID_CREDENTIALS")


async def test_health_and_docs_are_not_limited(apps: Apps) -> None:
    client = await apps.client(apps.app(rate_limit_read="1/minute"))
    for path in ("/health/live", "/health/live", "/openapi.json", "/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "RateLimit-Limit" not in response.headers


@pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set: sharing a limit between instances needs Redis"
)
async def test_limit_is_shared_through_redis(apps: Apps) -> None:
    first, second = apps.app(), apps.app()
    assert isinstance(first.state.rate_limit_store, RedisStore)
    one, other = await apps.client(first), await apps.client(second)
    for _ in range(3):
        assert (await one.get(PATH)).status_code != 429
    # The second instance sees the hits the first one counted.
    assert_limited(await other.get(PATH), 3)


async def test_unreachable_redis_falls_back_to_in_process_limits(
    apps: Apps, caplog: pytest.LogCaptureFixture
) -> None:
    application = apps.app(redis_url="redis://127.0.0.1:1/0")
    assert isinstance(application.state.rate_limit_store, RedisStore)
    client = await apps.client(application)
    with caplog.at_level(logging.WARNING, logger="app.core.ratelimit"):
        for _ in range(3):
            assert (await client.get(PATH)).status_code not in (429, 500)
        assert_limited(await client.get(PATH), 3)
    assert "Redis is unreachable" in caplog.text


async def test_memory_store_counts_each_rate_apart() -> None:
    store = MemoryStore(clock=lambda: 0.0)
    assert await store.take("k", Rate(1, 60.0)) == Usage(1, 0, 60.0, allowed=True)
    assert (await store.take("k", Rate(1, 60.0))).allowed is False
    assert (await store.take("k", Rate(2, 60.0))).allowed is True
    await store.reset()
    assert (await store.take("k", Rate(1, 60.0))).allowed is True
    await store.close()


@pytest.mark.parametrize("started", [0.0, 2037.4028446252357, 8174.326235239371, 32724.14146871332])
async def test_the_reset_header_never_exceeds_the_window(started: float) -> None:
    # At these clock readings, started + 60 - started rounds to a hair over 60.
    now = [started]
    store = MemoryStore(clock=lambda: now[0])
    for elapsed in (0.0, 0.25, 59.5, 60.0):
        now[0] = started + elapsed
        for usage in (await store.take("k", Rate(1, 60.0)), await store.take("k", Rate(1, 60.0))):
            reset = int(dict(usage.headers())[b"ratelimit-reset"])
            assert 1 <= reset <= 60, (started, elapsed, usage)


def test_limits_come_from_the_spec_and_can_be_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fields = Settings.model_fields
    assert fields["rate_limit_read"].default == "300/minute"
    assert fields["rate_limit_write"].default == "60/minute"
    assert fields["rate_limit_overrides"].default == {}
    monkeypatch.setenv("RATE_LIMIT_WRITE", "7/minute")
    monkeypatch.setenv("RATE_LIMIT_OVERRIDES", json.dumps({f"{SCOPE}.read": "9/hour"}))
    monkeypatch.setenv("REDIS_URL", "")
    settings = make_settings()
    assert settings.rate_limit_write == "7/minute"
    assert settings.rate_limit_overrides == {f"{SCOPE}.read": "9/hour"}
    assert settings.redis_url is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_limit_read": "lots"},
        {"rate_limit_write": "5/fortnight"},
        {"rate_limit_overrides": {f"{SCOPE}.sometimes": "1/minute"}},
        {"rate_limit_overrides": {f"{SCOPE}.write": "often"}},
    ],
)
def test_bad_limits_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="expected"):
        make_settings(**overrides)
