"""The generated JSON logging (app/core/logging.py) against ``structlog`` 26.1.

Both write one JSON object per line with the same fields (time, level, logger,
request_id, message, then the extra fields) and redact secrets. structlog has no
redaction of its own: its variants run a processor that calls the generated
``redact``/``redact_value`` (the patterns would move, not go). Cases:

* the access line of one request: the generated ``log_access`` (its direct path into the
  ``BatchingHandler``, lines written in batches) against a structlog bound logger
  (``logger.info(message, http={...})``) writing each line, and rendering only
  (``ReturnLogger``: the cost of building the line, without the write);
* a record of the standard library with a secret in its message and in an ``extra``
  field (what a driver or the framework logs): ``JsonFormatter.format`` against
  structlog's ``ProcessorFormatter.format`` on the same record.

Output goes to /dev/null. Run: /tmp/libraries-venv/bin/python bench/libraries/logging_json.py
"""

from __future__ import annotations

import logging
import os
from typing import Any

import orjson
import structlog
from timing import Result, arguments, measure, save

DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - for the whole run


def _dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def main() -> None:
    args = arguments(__doc__ or "", iterations=50_000, repeats=7)
    from app.core import logging as hand
    from app.core.context import request_id_var

    request_id_var.set("0123456789abcdef0123456789abcdef")
    results: list[Result] = []

    def request_id(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event["request_id"] = request_id_var.get() or None
        return event

    def upper_level(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event["level"] = event["level"].upper()
        return event

    def redact(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        head = ("time", "level", "logger", "request_id")
        return {
            key: (
                value
                if key in head
                else hand.redact(value)
                if key == "message"
                else hand.redact_value(key, value)
            )
            for key, value in event.items()
        }

    # The generated set-up: one BatchingHandler with a JsonFormatter, lines to /dev/null.
    access = logging.getLogger("bench.access")
    access.propagate = False
    batching = hand.BatchingHandler(DEVNULL)
    batching.setFormatter(hand.JsonFormatter())
    access.addHandler(batching)
    access.setLevel(logging.INFO)
    assert hand._direct_handler(access) is batching  # the fast path the app takes

    native = [
        request_id,
        structlog.processors.add_log_level,
        upper_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        structlog.processors.EventRenamer("message"),
        redact,
        structlog.processors.JSONRenderer(serializer=_dumps),
    ]
    written = structlog.wrap_logger(structlog.WriteLogger(DEVNULL), processors=native).bind(
        logger="app.access"
    )
    rendered = structlog.wrap_logger(structlog.ReturnLogger(), processors=native).bind(
        logger="app.access"
    )
    query = "limit=20&access_token=eyJhbGciOi.eyJzdWIiOi.c2ln"
    http = {
        "method": "GET",
        "path": "/api/v1/posts/5b1f0c1e-1f7e-4a8b-9d7c-3c6f6a1b2c3d",
        "query": query,
        "status": 200,
        "duration_ms": 1.23,
        "client": "127.0.0.1",
    }

    def hand_access(n: int) -> None:
        for _ in range(n):
            hand.log_access(access, "GET", http["path"], query, 200, 0.00123, "127.0.0.1")

    def structlog_access(logger: Any) -> Any:
        def run(n: int) -> None:
            message = f"GET {http['path']} 200"
            for _ in range(n):
                logger.info(message, http=dict(http))

        return run

    n, r = args.iterations, args.repeats
    results.append(
        measure(
            "access  hand-written log_access (batched writes)", hand_access, iterations=n, repeats=r
        )
    )
    results.append(
        measure(
            "access  structlog WriteLogger (a write per line)",
            structlog_access(written),
            iterations=n,
            repeats=r,
        )
    )
    results.append(
        measure(
            "access  structlog ReturnLogger (render only)",
            structlog_access(rendered),
            iterations=n,
            repeats=r,
        )
    )

    # A standard-library record with secrets, formatted by each.
    record = logging.LogRecord(
        "sqlalchemy.engine",
        logging.WARNING,
        __file__,
        1,
        "login failed for %s with password=%s",
        ("bob", "hunter2"),
        None,
    )
    record.token = "abc.def.ghi"
    record.user = "bob"
    record.request_id = request_id_var.get()
    ours = hand.JsonFormatter()
    theirs = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            upper_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            request_id,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.EventRenamer("message"),
            redact,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
    )
    extra_keys = {"token", "user", "request_id"}

    def format_with(formatter: logging.Formatter) -> Any:
        def run(n: int) -> None:
            for _ in range(n):
                formatter.format(record)

        return run

    results.append(
        measure(
            "record  hand-written JsonFormatter.format", format_with(ours), iterations=n, repeats=r
        )
    )
    results.append(
        measure(
            "record  structlog ProcessorFormatter.format",
            format_with(theirs),
            iterations=n,
            repeats=r,
        )
    )

    def fields(line: str) -> dict[str, Any]:
        entry = orjson.loads(line)
        entry.pop("time", None)
        return entry

    lines = {
        "record_hand": ours.format(record),
        "record_structlog": theirs.format(record),
        "access_structlog": rendered.info(f"GET {http['path']} 200", http=dict(http)),
    }
    behaviour: dict[str, Any] = {
        "lines": lines,
        "record_same_fields_and_redaction": fields(lines["record_hand"])
        == fields(lines["record_structlog"]),
        "extra_keys_seen": sorted(extra_keys & set(orjson.loads(lines["record_structlog"]))),
    }
    print("same record fields and redaction:", behaviour["record_same_fields_and_redaction"])
    for line in lines.values():
        print(" ", line)
    save("logging_json", results, behaviour)


if __name__ == "__main__":
    main()
