"""Settings, the rate limiter, logging, tokens and start-up, tested on their own."""

from __future__ import annotations

import inspect
import io
import json
import logging
import threading
import time
import uuid
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects import sqlite

from app import server
from app.core.context import request_id_var
from app.core.logging import BatchingHandler, JsonFormatter, configure_logging, log_access
from app.core.migrations import alembic_config
from app.core.ratelimit import RateLimiter, address_key
from app.core.responses import JSONResponse
from app.core.security import create_access_token, decode_access_token, verify_password
from app.main import create_app, native_telemetry
from app.models.types import UTCDateTime
from app.schemas.types import UTCDateTime as RequestDateTime
from app.schemas.types import to_utc
from tests.apps import serving
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio


def test_postgres_urls_get_the_async_driver() -> None:
    for url in ("postgres://u@db/app", "postgresql://u@db/app"):
        assert make_settings(database_url=url).database_url == "postgresql+asyncpg://u@db/app"


def test_production_needs_a_long_secret_key() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        make_settings(environment="production", secret_key="")
    with pytest.raises(ValidationError, match="at least 32"):
        make_settings(environment="production", secret_key="short")


def test_development_invents_a_secret_key_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = make_settings(environment="development", secret_key="", auto_migrate=None)
    assert len(settings.secret_key.get_secret_value()) >= 32
    assert settings.auto_migrate is True
    assert "SECRET_KEY is not set" in caplog.text


def test_cors_origins_may_be_a_comma_separated_list() -> None:
    settings = make_settings(cors_origins="https://a.example.com, https://b.example.com")
    assert settings.cors_origins == ["https://a.example.com", "https://b.example.com"]


def test_rate_limits_are_validated() -> None:
    with pytest.raises(ValidationError):
        make_settings(auth_rate_limit="lots")
    with pytest.raises(ValueError, match="not a rate"):
        RateLimiter.parse("often")


def test_rate_limiter_windows() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.hit("a") is None
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 60.0
    assert limiter.hit("b") is None
    now[0] = 61.0
    assert limiter.hit("a") is None


def test_rate_limiter_forgets_expired_windows() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 10.0, clock=lambda: now[0], max_keys=2)
    limiter.hit("a")
    limiter.hit("b")
    now[0] = 20.0
    limiter.hit("c")
    assert len(limiter) == 1  # both expired windows went as soon as they ended
    assert limiter.hit("a") is None  # its old window was dropped, not carried over


def test_a_full_rate_limiter_drops_the_window_nearest_its_end() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 60.0, clock=lambda: now[0], max_keys=3)
    for second, key in enumerate("abc"):
        now[0] = float(second)
        assert limiter.hit(key) is None
    now[0] = 3.0
    assert limiter.hit("d") is None  # a new client, with every window still running
    assert len(limiter) == 3
    # The oldest window went; the others still count.
    assert limiter.hit("b") is not None
    assert limiter.hit("c") is not None
    assert limiter.hit("a") is None


def test_rate_limiter_work_per_hit_does_not_grow_with_its_clients() -> None:
    def seconds_per_hit(clients: int) -> float:
        limiter = RateLimiter(5, 60.0, max_keys=clients + 1)
        for n in range(clients):
            limiter.hit(f"client-{n}")
        started = time.perf_counter()
        for n in range(2000):
            limiter.hit(f"new-{n}")
        return (time.perf_counter() - started) / 2000

    small, large = seconds_per_hit(100), seconds_per_hit(30_000)
    # A scan of every key per hit would make this hundreds of times slower.
    assert large < small * 5 + 0.000_05, (small, large)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
    ],
)
def test_rate_limits_count_ipv6_clients_by_their_64_network(address: str, key: str) -> None:
    assert address_key(address) == key


def test_logs_are_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("tests.json")
    logger.propagate = False
    configure_logging("INFO", logger=logger)
    configure_logging("INFO", logger=logger)  # a second call adds no second handler
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed")
    entry: dict[str, Any] = json.loads(capsys.readouterr().err.strip())
    assert entry["level"] == "ERROR"
    assert entry["message"] == "it failed"
    assert "ValueError" in entry["exception"]
    assert isinstance(logger.handlers[0].formatter, JsonFormatter)
    assert len(logger.handlers) == 1


def test_the_access_line_is_what_the_formatter_writes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("tests.access")
    logger.propagate = False
    configure_logging("INFO", logger=logger)

    def no_record(_handler: BatchingHandler, record: logging.LogRecord) -> None:
        raise AssertionError(f"the access line became a record: {record.getMessage()}")

    fields = ("GET", "/api/v1/items/eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", "token=s3cret&page=2")
    token = request_id_var.set("access-1")
    try:
        with monkeypatch.context() as patched:
            patched.setattr(BatchingHandler, "emit", no_record)
            log_access(logger, *fields, 200, 0.0123, "127.0.0.1")
        # The same request as an ordinary record, formatted.
        http = {"method": "GET", "path": fields[1], "query": fields[2], "status": 200,
                "duration_ms": 12.3, "client": "127.0.0.1"}  # fmt: skip
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 0, "%s %s %s", ("GET", fields[1], 200), None,
            extra={"http": http},
        )  # fmt: skip
        record.request_id = "access-1"
    finally:
        request_id_var.reset(token)
    handler = logger.handlers[0]
    handler.flush()
    logger.handlers = []
    handler.close()
    direct = json.loads(capsys.readouterr().err)
    formatted = json.loads(JsonFormatter().format(record))
    assert direct.pop("time") <= formatted.pop("time")
    assert direct == formatted
    assert "s3cret" not in json.dumps(direct)
    assert "eyJzdWIiOi" not in json.dumps(direct)
    assert direct["http"]["query"] == "token=[REDACTED]&page=2"


def test_log_lines_wait_for_a_batch_but_warnings_do_not(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("tests.batches")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for seconds in (60.0, 0.05):
        handler = BatchingHandler(seconds=seconds)
        handler.setFormatter(JsonFormatter())
        logger.handlers = [handler]
        try:
            logger.info("first")
            if seconds == 60.0:
                logger.info("second")
                assert capsys.readouterr().err == ""
                logger.warning("third")  # written at once, after the lines before it
                lines = capsys.readouterr().err.splitlines()
                assert [json.loads(line)["message"] for line in lines] == [
                    "first",
                    "second",
                    "third",
                ]
                continue
            # A line no other line follows is written by the handler's thread.
            deadline = time.monotonic() + 5
            written = ""
            while "first" not in written and time.monotonic() < deadline:
                time.sleep(0.02)
                written += capsys.readouterr().err
            assert json.loads(written)["message"] == "first"
        finally:
            logger.handlers = []
            handler.close()


def test_closing_a_handler_stops_its_flusher_even_while_it_waits_to_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    stream = io.StringIO()
    handler = BatchingHandler(stream, seconds=0.02)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.closing")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers = [handler]
    logger.info("late")  # waits for the flusher
    handler.acquire()
    try:
        time.sleep(0.1)  # the flusher is due, and waits for the handler's lock
        logger.handlers = []
        handler.close()
    finally:
        handler.release()
    assert handler.flusher is not None
    handler.flusher.join(timeout=5)
    assert not handler.flusher.is_alive()
    assert failures == []
    assert json.loads(stream.getvalue())["message"] == "late"


def test_json_responses_carry_decimals_as_strings() -> None:
    assert JSONResponse({"price": Decimal("1.50")}).body == b'{"price":"1.50"}'
    with pytest.raises(TypeError):
        JSONResponse({"value": object()})


async def test_tokens_and_hashes_that_do_not_verify() -> None:
    settings = make_settings()
    assert decode_access_token("a.b.c", settings) is None
    assert await verify_password("not-an-argon2-hash", "password", settings) is False


def test_a_verified_token_is_remembered_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings(access_token_ttl=60)
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = create_access_token(
        user_id=user_id, session_id=session_id, role="", now=datetime.now(UTC), settings=settings
    )
    claims = decode_access_token(token, settings)
    assert claims is not None
    assert (claims.user_id, claims.session_id) == (user_id, session_id)
    # Remembered only under the key that signed it ...
    assert decode_access_token(token, make_settings(secret_key="x" * 40)) is None
    # ... without checking the signature again ...
    monkeypatch.setattr(jwt, "decode", lambda *_a, **_k: pytest.fail("checked again"))
    assert decode_access_token(token, settings) == claims
    # ... and only until it expires.
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert decode_access_token(token, settings) is None


def test_the_production_server_is_configured_as_measured() -> None:
    served = server.server("127.0.0.1", 8123, 2)
    assert (served.bind_addr, served.bind_port, served.workers) == ("127.0.0.1", 8123, 2)
    assert (served.interface, served.http, served.websockets) == ("asgi", "1", True)
    assert (served.runtime_mode, served.loop, served.log_access) == ("st", "uvloop", False)
    assert served.workers_kill_timeout == server.SHUTDOWN_SECONDS


async def test_fastapi_native_telemetry_is_off_unless_asked() -> None:
    # On, FastAPI looks for configured OpenTelemetry providers on every request.
    assert native_telemetry(make_settings(opentelemetry=True)) == {}
    if "telemetry" not in inspect.signature(FastAPI).parameters:
        assert native_telemetry(make_settings()) == {}  # this FastAPI has none
        return
    for asked in (False, True):
        application = create_app(make_settings(opentelemetry=asked))
        async with serving(application):
            config = application._telemetry
        assert (config["tracing"], config["metrics"], config["logs"]) == (asked, asked, asked)


def test_utc_datetimes() -> None:
    column = UTCDateTime()
    dialect = sqlite.dialect()
    naive = datetime(2024, 1, 1, 12)
    aware = datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert column.process_bind_param(aware, dialect) == naive.replace(tzinfo=UTC)
    assert column.process_bind_param(naive, dialect) == naive
    assert column.process_result_value(naive, dialect) == naive.replace(tzinfo=UTC)
    assert column.process_result_value(None, dialect) is None
    assert to_utc(aware) == naive.replace(tzinfo=UTC)


def test_request_datetimes_need_an_offset() -> None:
    adapter = TypeAdapter(RequestDateTime)
    assert adapter.validate_python("2024-01-01T14:00:00+02:00") == datetime(
        2024, 1, 1, 12, tzinfo=UTC
    )
    assert adapter.validate_python("2024-01-01T12:00:00Z") == datetime(2024, 1, 1, 12, tzinfo=UTC)
    for naive in ("2024-01-01T12:00:00", datetime(2024, 1, 1, 12)):
        with pytest.raises(ValidationError, match="timezone"):
            adapter.validate_python(naive)


def test_migrations_need_the_project_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("app.core.migrations.PROJECT_ROOT", tmp_path)
    with pytest.raises(RuntimeError, match=r"alembic\.ini"):
        alembic_config()


@pytest.mark.parametrize("auto_migrate", [True, False])
async def test_startup_migrates_when_asked_and_shutdown_closes_the_pool(auto_migrate: bool) -> None:
    application = create_app(make_settings(auto_migrate=auto_migrate))
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive() -> dict[str, str]:
        return next(messages)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    await application({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
