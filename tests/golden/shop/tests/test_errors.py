"""Every failure comes back in the error envelope, with a request id and safe headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio


async def test_unknown_route_is_not_found(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/no/such/route"), 404, "NOT_FOUND")


async def test_wrong_method_is_method_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health/live")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


async def test_malformed_json_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "VALIDATION_ERROR", fields={"body"})


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", b'{"email": "a@example.com"}'),
        ("application/x-www-form-urlencoded", b"email=a%40example.com"),
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b"{}"),
    ],
)
async def test_a_body_that_is_not_json_is_an_unsupported_media_type(
    client: httpx.AsyncClient, content_type: str | None, content: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/api/v1/auth/login", content=content, headers=headers)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", fields={"header.Content-Type"})


async def test_a_body_that_is_not_utf8_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "VALIDATION_ERROR", fields={"body"})


async def test_a_body_over_the_limit_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    too_big = b"x" * (app.state.settings.max_body_bytes + 1)
    response = await client.post("/api/v1/auth/login", content=too_big)
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(2):
            yield too_big

    response = await client.post(
        "/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.fixture
async def fragile_app() -> AsyncIterator[FastAPI]:
    """An app with test-only routes that fail in the ways the envelope must absorb."""
    application = create_app(make_settings())

    @application.get("/test/crash")
    async def crash() -> None:
        raise RuntimeError("SELECT secret FROM somewhere")

    @application.get("/test/integrity")
    async def integrity() -> None:
        raise IntegrityError("INSERT INTO t VALUES (1)", {}, Exception("duplicate key"))

    yield application
    await application.state.engine.dispose()


async def test_a_crash_is_an_internal_error_without_details(fragile_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=fragile_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/test/crash")
    assert_error(response, 500, "INTERNAL_ERROR")
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_an_unexpected_constraint_violation_is_a_conflict(fragile_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=fragile_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/test/integrity")
    assert_error(response, 409, "CONFLICT")
    assert "INSERT" not in response.text


async def test_request_ids_are_echoed_when_sane(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health/live", headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["X-Request-ID"] == "trace-42"
    replaced = await client.get("/health/live", headers={"X-Request-ID": "<script>"})
    assert replaced.headers["X-Request-ID"] != "<script>"
    assert len(replaced.headers["X-Request-ID"]) == 32


async def test_security_headers_are_set(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
