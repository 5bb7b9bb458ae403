"""Prometheus metrics at /metrics: requests by route template, in flight, cache and jobs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.metrics import UNMATCHED, Metrics, route_of
from app.core.middleware import RequestContextMiddleware
from app.main import create_app
from app.repositories import jobs as jobs_repo
from app.repositories.base import utcnow
from tests.conftest import make_settings
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

COLLECTION = "/api/v1/customers"
ITEM = COLLECTION + "/{id}"  # the template an item's path is counted under
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    """Every sample of /metrics: (name, labels) -> value."""
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels``; 0 when it is absent."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests_to(samples: Samples, route: str) -> float:
    """Requests counted under ``route``, whatever their method and status."""
    return sum(
        count
        for (name, labels), count in samples.items()
        if name == "http_requests_total" and ("route", route) in labels
    )


@pytest.fixture
async def fresh() -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app of its own, so its counts start at zero."""
    application = create_app(make_settings())
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield application, client
    await application.state.rate_limit_store.close()
    await application.state.engine.dispose()


async def test_requests_are_counted_under_their_route_template(
    fresh: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = fresh
    for _ in range(3):
        await client.get("/health/live")
    row_id = uuid.uuid4()
    await client.get(f"{COLLECTION}/{row_id}")
    response = await client.get("/metrics")
    samples = await scrape(client)

    live = {"method": "GET", "route": "/health/live", "status": "200"}
    assert value(samples, "http_requests_total", **live) == 3
    assert value(samples, "http_request_duration_seconds_count", **live) == 3
    assert value(samples, "http_request_duration_seconds_bucket", le="+Inf", **live) == 3
    assert value(samples, "http_request_duration_seconds_sum", **live) > 0
    # The id path is one request under its template; the id itself is nowhere.
    assert requests_to(samples, ITEM) == 1
    assert str(row_id) not in response.text
    # The scrape that is being answered is the one request in flight.
    assert value(samples, "http_requests_in_flight") == 1


async def test_unmatched_paths_share_one_series(fresh: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = fresh
    paths = [f"/no-such-page/{uuid.uuid4()}" for _ in range(2)]
    for path in paths:
        assert_error(await client.get(path), 404, "NOT_FOUND")
    response = await client.get("/metrics")
    samples = await scrape(client)
    assert value(samples, "http_requests_total", method="GET", route=UNMATCHED, status="404") == 2
    assert not any(path in response.text for path in paths)


async def test_methods_outside_http_are_counted_as_other(
    fresh: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = fresh
    assert (await client.request("PROPFIND", "/health/live")).status_code == 405
    samples = await scrape(client)
    other = {"method": "OTHER", "route": "/health/live", "status": "405"}
    assert value(samples, "http_requests_total", **other) == 1


async def test_metrics_are_not_rate_limited() -> None:
    application = create_app(make_settings(rate_limit_read="1/minute"))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for _ in range(3):
            response = await client.get("/metrics")
            assert response.status_code == 200
            assert "RateLimit-Limit" not in response.headers
    await application.state.rate_limit_store.close()
    await application.state.engine.dispose()


async def test_metrics_token_is_required_when_set() -> None:
    token = "metrics-token-0123456789"
    application = create_app(make_settings(metrics_token=token))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert_error(await client.get("/metrics"), 401, "AUTHENTICATION_REQUIRED")
        wrong = {"Authorization": "Bearer not-the-token"}
        assert_error(await client.get("/metrics", headers=wrong), 401, "INVALID_TOKEN")
        samples = await scrape(client, Authorization=f"Bearer {token}")
        assert (
            value(samples, "http_requests_total", method="GET", route="/metrics", status="401") == 2
        )
    await application.state.rate_limit_store.close()
    await application.state.engine.dispose()


@pytest.mark.parametrize(
    "stats",
    [
        {"hits": 3, "misses": 1, "errors": 2},
        SimpleNamespace(hits=3, misses=1, errors=2),
    ],
    ids=["mapping", "attributes"],
)
async def test_cache_statistics_are_read_at_scrape_time(
    fresh: tuple[FastAPI, httpx.AsyncClient], stats: Any
) -> None:
    application, client = fresh
    application.state.cache = SimpleNamespace(stats=lambda: stats)
    samples = await scrape(client)
    assert value(samples, "cache_operations_total", result="hit") == 3
    assert value(samples, "cache_operations_total", result="miss") == 1
    assert value(samples, "cache_operations_total", result="error") == 2


@pytest.mark.parametrize(
    "cache",
    [None, object(), SimpleNamespace(stats=lambda: {}), SimpleNamespace(stats=lambda: 1 / 0)],
    ids=["none", "no-stats", "empty", "failing"],
)
async def test_a_cache_without_usable_statistics_is_left_out(
    fresh: tuple[FastAPI, httpx.AsyncClient], cache: object
) -> None:
    application, client = fresh
    application.state.cache = cache
    samples = await scrape(client)
    assert not any(name.startswith("cache_") for name, _ in samples)


async def test_jobs_are_counted_by_status_with_the_due_backlog(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    now = utcnow()
    name = "receipt"
    rows = [
        {"id": uuid.uuid4(), "name": name, "payload": {}, "run_after": now - timedelta(minutes=1)},
        {"id": uuid.uuid4(), "name": name, "payload": {}, "run_after": now + timedelta(hours=1)},
        {"id": uuid.uuid4(), "name": name, "payload": {}, "run_after": now},
    ]
    await jobs_repo.insert_jobs(db, rows, now=now)
    await db.execute(
        update(jobs_repo.jobs).where(jobs_repo.jobs.c.id == rows[2]["id"]).values(status="dead")
    )
    await db.commit()
    samples = await scrape(client)
    assert value(samples, "jobs", status="queued") == 2
    assert value(samples, "jobs", status="dead") == 1
    assert value(samples, "jobs", status="running") == 0
    assert value(samples, "jobs_due") == 1


async def test_metrics_answer_without_a_database(tmp_path: Path) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite"
    application = create_app(make_settings(database_url=unreachable))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        samples = await scrape(client)
    assert not any(name.startswith("jobs") for name, _ in samples)
    await application.state.engine.dispose()


class _Route:
    def __init__(self, path: str) -> None:
        self.path = path


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            {"path": "/api/v1/things/7", "route": _Route("/api/v1/things/{id}")},
            "/api/v1/things/{id}",
        ),
        ({"path": "/api/v1/things/7", "route": _Route("/things/{id}")}, "/api/v1/things/{id}"),
        ({"path": "/api/v1/things/", "route": _Route("/things/")}, "/api/v1/things/"),
        ({"path": "/health", "route": _Route("")}, "/health"),
        ({"path": "/anything/else"}, UNMATCHED),
    ],
    ids=["full-template", "prefixed-router", "trailing-slash", "empty-template", "no-route"],
)
def test_route_of_gives_the_full_template(scope: dict[str, Any], expected: str) -> None:
    assert route_of(scope) == expected


def _context(inner: ASGIApp, metrics: Metrics) -> RequestContextMiddleware:
    return RequestContextMiddleware(inner, metrics=metrics, max_body_bytes=1024)


async def test_an_escaping_error_counts_as_a_500() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    metrics = Metrics()
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    await _context(failing, metrics)(scope, receive, send)
    assert sent[0]["status"] == 500
    text = metrics.exposition().decode()
    assert 'http_requests_total{method="GET",route="<unmatched>",status="500"} 1.0' in text
    assert "http_requests_in_flight 0.0" in text


async def test_other_scopes_pass_through_uncounted() -> None:
    seen: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        return None

    metrics = Metrics()
    await _context(inner, metrics)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]
    assert "http_requests_total{" not in metrics.exposition().decode()
