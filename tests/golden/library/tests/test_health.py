"""Probes and documentation endpoints."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.api.routes.docs import OPENAPI
from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import assert_error, data

pytestmark = pytest.mark.anyio


async def test_live_and_ready(client: httpx.AsyncClient) -> None:
    assert data(await client.get("/health/live")) == {"status": "ok"}
    assert data(await client.get("/health/ready")) == {"status": "ok"}


async def test_ready_is_unavailable_without_a_database(tmp_path: Path) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite"
    application = create_app(make_settings(database_url=unreachable))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert_error(await client.get("/health/ready"), 503, "SERVICE_UNAVAILABLE")
        assert data(await client.get("/health/live")) == {"status": "ok"}
    await application.state.engine.dispose()


async def test_the_designed_openapi_document_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.content == OPENAPI
    assert response.json()["openapi"].startswith("3.1")
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
