"""Cross-cutting protections: CORS, transport headers, request ids, log hygiene, error codes."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

import app as app_package
from app.core.errors import AppError
from app.core.logging import REDACTED, JsonFormatter, redact
from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ALLOWED_ORIGIN = "https://app.example.com"


@pytest.fixture
async def cors_client() -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(cors_origins=[ALLOWED_ORIGIN]))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await application.state.engine.dispose()


async def test_cors_refuses_an_unknown_origin(cors_client: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await cors_client.options(
        "/health/live", headers={**preflight, "Origin": ALLOWED_ORIGIN}
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Access-Control-Allow-Credentials" not in allowed.headers

    refused = await cors_client.options(
        "/health/live", headers={**preflight, "Origin": "https://evil.example.com"}
    )
    assert_error(refused, 403, "CORS_ORIGIN_DENIED")
    assert "Access-Control-Allow-Origin" not in refused.headers
    simple = await cors_client.get("/health/live", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in simple.headers


@pytest.mark.parametrize("origins", ["*", "https://app.example.com,*", "app.example.com"])
def test_cors_needs_explicit_origins(origins: str) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(cors_origins=origins)


async def test_hsts_is_sent_over_https_only(app: FastAPI) -> None:
    for scheme, expected in (("https", True), ("http", False)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://test") as client:
            response = await client.get("/health/live")
        assert ("Strict-Transport-Security" in response.headers) is expected, scheme
    assert response.headers["X-Frame-Options"] == "DENY"


OPS_PATHS = ["/metrics", "/docs", "/openapi.json"]
OPS_TOKEN = "ops-token-for-the-tests-0123456789"


@asynccontextmanager
async def client_of(
    address: str = "198.51.100.7", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a new app with these settings, calling from ``address``."""
    application = create_app(make_settings(**overrides))
    transport = httpx.ASGITransport(app=application, client=(address, 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await application.state.engine.dispose()


@pytest.mark.parametrize("path", OPS_PATHS)
async def test_ops_endpoints_are_closed_in_production(path: str) -> None:
    async with client_of(environment="production") as client:
        assert_error(await client.get(path), 404, "NOT_FOUND")
    # Outside production they stay open, as before.
    async with client_of(environment="development") as client:
        assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize("path", OPS_PATHS)
async def test_a_token_or_an_allowed_address_opens_ops_endpoints(path: str) -> None:
    tokens = {"metrics_token": OPS_TOKEN, "docs_token": OPS_TOKEN}
    async with client_of(environment="production", **tokens) as client:
        assert_error(await client.get(path), 401, "AUTHENTICATION_REQUIRED")
        wrong = {"Authorization": "Bearer not-the-token"}
        assert_error(await client.get(path, headers=wrong), 401, "INVALID_TOKEN")
        right = {"Authorization": f"Bearer {OPS_TOKEN}"}
        assert (await client.get(path, headers=right)).status_code == 200
    allowed = {"environment": "production", "ops_allow_ips": ["192.0.2.0/24"]}
    async with client_of("192.0.2.7", **allowed) as client:
        assert (await client.get(path)).status_code == 200
    async with client_of("198.51.100.7", **allowed) as client:
        assert_error(await client.get(path), 404, "NOT_FOUND")


def test_ops_allow_ips_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValidationError, match="not an IP address or network"):
        make_settings(ops_allow_ips="10.0.0.0/8,intranet")


JsonLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_logs(caplog: pytest.LogCaptureFixture) -> Iterator[JsonLines]:
    """The records logged so far in the test, as the JSON lines production prints."""
    formatter = JsonFormatter()
    with caplog.at_level(logging.DEBUG):
        yield lambda: [json.loads(formatter.format(record)) for record in caplog.records]


async def test_logs_carry_the_request_id(client: httpx.AsyncClient, json_logs: JsonLines) -> None:
    response = await client.get("/no/such/route", headers={"X-Request-ID": "trace-logs-1"})
    error = assert_error(response, 404, "NOT_FOUND")
    assert error["requestId"] == "trace-logs-1"
    access = [line for line in json_logs() if line["logger"] == "app.access"]
    assert access, "the request was not logged"
    assert all(line["request_id"] == "trace-logs-1" for line in access)
    assert access[-1]["http"] == {
        "method": "GET",
        "path": "/no/such/route",
        "query": "",
        "status": 404,
        "duration_ms": access[-1]["http"]["duration_ms"],
        "client": "127.0.0.1",
    }


async def test_logs_never_contain_secrets(client: httpx.AsyncClient, json_logs: JsonLines) -> None:
    password = "T0&r correct horse battery staple"
    credentials = {"email": "logs@example.com", "password": password}
    await client.post("/api/v1/auth/register", json=credentials)
    login = await client.post("/api/v1/auth/login", json=credentials)
    tokens = login.json()["data"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    await client.get(f"/api/v1/auth/me?token={tokens['refresh_token']}", headers=bearer)
    # Whatever code logs secrets by mistake, the formatter still hides them.
    logging.getLogger("app.test").warning(
        "login %s password=%s with Authorization: Bearer %s",
        credentials,
        password,
        tokens["access_token"],
        extra={"refresh_token": tokens["refresh_token"], "headers": bearer},
    )
    printed = "\n".join(json.dumps(line) for line in json_logs())
    assert REDACTED in printed
    for secret in (password, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in printed


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"password": "hunter2hunter2"}', "hunter2hunter2"),
        ("refresh_token=abc.def-123&x=1", "abc.def-123"),
        ("Authorization: Bearer abc123", "abc123"),
        ("Cookie: session=s3cr3t", "s3cr3t"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJhbGciOiJIUzI1NiJ9"),
        ("PASSWORD=hunter2hunter2", "hunter2hunter2"),
        ("café refresh_token=abc.def-123", "abc.def-123"),
        # Case-insensitive matching takes the long s (U+017F) for "s": so must the quick check.
        ("pa\u017f\u017fword=hunter2hunter2", "hunter2hunter2"),
    ],
)
def test_redaction_patterns(text: str, secret: str) -> None:
    assert secret not in redact(text)


def _subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_error_code_is_in_the_published_reference() -> None:
    contract = json.loads((Path(app_package.__file__).parent / "openapi.json").read_text())
    envelope = contract["components"]["schemas"]["Error"]["properties"]["error"]
    published = set(envelope["properties"]["code"]["enum"])
    raised = {cls.code for cls in _subclasses(AppError)}
    assert raised <= published, raised - published
    for code in raised:
        assert f"`{code}`" in contract["info"]["description"], code
