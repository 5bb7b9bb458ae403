"""Prometheus metrics: every request by method, route template and status, at ``GET /metrics``.

Counting (in ``app.core.middleware.RequestContextMiddleware``) costs one counter
increment and one histogram observation per request, and one more increment for the
SQL statements it sent (``db_statements_total`` by route, see app.core.statements) (the in-flight count is a plain
integer, read when scraped): about 2 microseconds, measured. Routes are labelled by
their template (``/api/v1/things/{id}``), never by the raw path, so the number
of series stays bounded. What other parts of the service hold (cache statistics, job counts) is read
only when Prometheus scrapes.

Each process keeps its own numbers, in a registry of its own: run one worker per
container (as the Dockerfile does) and let Prometheus scrape every replica directly,
not through the proxy, which hides ``/metrics``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from app.models.base import table_of
from app.models.jobs import Job
from app.repositories.base import utcnow

logger = logging.getLogger(__name__)

# The route label of a request no route matched (404s): one series, whatever the path.
UNMATCHED = "<unmatched>"
KNOWN_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
# Seconds, from a cached read to a slow write; Prometheus estimates quantiles from them.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The label of each cache result and its name in the cache's stats().
CACHE_RESULTS = (("hit", "hits"), ("miss", "misses"), ("error", "errors"))
JOB_STATUSES = ("queued", "running", "done", "dead")


class Metrics:
    """The request metrics of one app; a registry per app, so tests can build many."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "http_requests", "HTTP requests answered.", labels, registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Seconds from receiving an HTTP request to the end of its response.",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        # A plain count, read only when scraped: a Gauge's inc() and dec() take a lock each.
        self.in_flight = 0
        in_flight = Gauge(
            "http_requests_in_flight", "HTTP requests being answered.", registry=self.registry
        )
        in_flight.set_function(lambda: self.in_flight)
        # By route alone: how many statements a route sends is what shows an N+1.
        self.statements = Counter(
            "db_statements",
            "SQL statements sent while answering requests (app.core.statements).",
            ("route",),
            registry=self.registry,
        )
        # Labelled series, looked up once: labels() validates and locks on every call.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._statements: dict[str, Counter] = {}

    def observe(
        self, method: str, route: str, status: int, seconds: float, statements: int = 0
    ) -> None:
        """Count one answered request, its duration and the SQL statements it sent."""
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            values = (method, route, str(status))
            series = (self.requests.labels(*values), self.duration.labels(*values))
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)
        if statements:
            counter = self._statements.get(route)
            if counter is None:
                counter = self._statements[route] = self.statements.labels(route)
            counter.inc(statements)

    def exposition(self, extra: Sequence[Metric] = ()) -> bytes:
        """The text Prometheus scrapes: the request metrics, then ``extra``."""
        return generate_latest(_Scrape(self.registry, extra))


class _Scrape:
    """One scrape: the app's registry and what was read for this scrape alone."""

    def __init__(self, registry: CollectorRegistry, extra: Sequence[Metric]) -> None:
        self._registry = registry
        self._extra = extra

    def collect(self) -> Iterable[Metric]:
        yield from self._registry.collect()
        yield from self._extra


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/posts/{id}``), or UNMATCHED.

    Some FastAPI versions give the route of an included router its own path, without
    the router's prefix: the prefix is then the leading segments of the request's path
    (prefixes here are fixed words, never parameters).
    """
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    path: str = scope["path"]
    if not template:  # the route is its router's prefix itself
        return path
    missing = path.count("/") - template.count("/")
    if missing > 0:
        return "/".join(path.split("/", missing + 1)[:-1]) + template
    return template


def cache_metrics(cache: object | None) -> list[Metric]:
    """Hits, misses and errors of ``cache`` (``app.state.cache``), if it has ``stats()``.

    ``stats()`` may return a mapping or an object with attributes; results it does not
    report are left out, and a failing ``stats()`` leaves out the whole family.
    """
    stats_of = getattr(cache, "stats", None)
    if not callable(stats_of):
        return []
    try:
        stats = stats_of()
    except Exception:
        logger.warning("the cache's stats() failed: cache metrics left out", exc_info=True)
        return []
    family = CounterMetricFamily(
        "cache_operations", "Cache lookups and writes by result.", labels=["result"]
    )
    for label, name in CACHE_RESULTS:
        value = stats.get(name) if isinstance(stats, Mapping) else getattr(stats, name, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            family.add_metric([label], value)
    return [family] if family.samples else []


_jobs = table_of(Job)


async def job_metrics(engine: AsyncEngine) -> list[Metric]:
    """Jobs by status and the backlog (queued and due), counted in the queue table.

    The counts use the (status, run_after) index. A database error leaves the job
    metrics out of this scrape instead of failing it.
    """
    by_status: dict[Any, Any] = {}
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(_jobs.c.status, func.count()).group_by(_jobs.c.status)
            )
            by_status = dict(result.all())
            due = await connection.scalar(
                select(func.count())
                .select_from(_jobs)
                .where(_jobs.c.status == "queued", _jobs.c.run_after <= utcnow())
            )
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("job metrics left out: %s", type(exc).__name__)
        return []
    jobs = GaugeMetricFamily("jobs", "Jobs in the queue table by status.", labels=["status"])
    for status in JOB_STATUSES:
        jobs.add_metric([status], by_status.get(status, 0))
    backlog = GaugeMetricFamily(
        "jobs_due", "Queued jobs whose run_after has passed: work waiting for a worker."
    )
    backlog.add_metric([], due or 0)
    return [jobs, backlog]
