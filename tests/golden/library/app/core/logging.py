"""Structured logs: one JSON object per line, with the request id, never a secret.

Secrets are redacted when a record is formatted, whatever logged it (our code, the
framework, a driver's error message): bearer tokens, JWTs, cookies, and the values of
keys such as ``password`` or ``refresh_token`` in ``key=value`` and JSON form.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from app.core.context import current_request_id

REDACTED = "[REDACTED]"
# Names of fields whose values are secrets (a list of names, not a password).
_SENSITIVE_NAMES = (
    r"password|passwd|new_password|current_password|secret|secret_key|token|access_token"
    r"|refresh_token|api_key|authorization|cookie|set-cookie"
)
_SENSITIVE_NAME = re.compile(rf"^(?:{_SENSITIVE_NAMES})$", re.IGNORECASE)
_PATTERNS = (
    # "password": "...", 'token': '...' (JSON and Python reprs)
    re.compile(rf"""(?P<keep>["']?(?:{_SENSITIVE_NAMES})["']?\s*:\s*)["'][^"']*["']""", re.I),
    # password=..., refresh_token=... (query strings, form bodies, key=value logs)
    re.compile(rf"(?P<keep>\b(?:{_SENSITIVE_NAMES})=)[^&\s,;]+", re.IGNORECASE),
    # Authorization: Bearer ..., Cookie: ... (header dumps)
    re.compile(r"(?P<keep>\b(?:authorization|cookie|set-cookie)\s*:\s*)[^\r\n]+", re.I),
    re.compile(r"(?P<keep>\bbearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    # A JWT anywhere (three base64url parts, the first two starting with '{"').
    re.compile(r"(?P<keep>)\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
)
# LogRecord attributes that are not ``extra=`` fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's copy of the message with terminal colours
    "request_id",
    "taskName",
}


# Every pattern above needs one of these words in the text: most lines have none, and
# one search for them is cheaper than running every pattern.
_MAYBE_SECRET = re.compile(
    r"password|passwd|secret|token|api_key|authorization|cookie|bearer|eyJ", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` with every secret the patterns recognise replaced by ``[REDACTED]``."""
    if not _MAYBE_SECRET.search(text):
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("keep") + REDACTED, text)
    return text


def redact_value(key: str, value: Any) -> Any:
    """A structured log field with secret keys blanked and strings redacted, recursively."""
    if _SENSITIVE_NAME.match(key):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value("", v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON line: time, level, logger, request id, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or None,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = redact_value(key, value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


def _stamp_request_ids() -> None:
    """Make every log record carry the id of the request it was written in.

    Stamped when the record is created, so a record formatted later (queued, or held by
    a test's log capture) still names its request.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_ids", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    factory.stamps_request_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str, *, logger: logging.Logger | None = None) -> None:
    """Log JSON lines to stderr, unless logging was already set up (pytest, say).

    The servers' own loggers (uvicorn's, granian's) are routed through the same JSON handler; its
    access log is switched off, since :mod:`app.core.middleware` writes one with the
    request id and a redacted query string.
    """
    _stamp_request_ids()
    target = logger or logging.getLogger()
    if target.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    target.addHandler(handler)
    target.setLevel(level)
    if logger is None:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "_granian"):
            server_logger = logging.getLogger(name)
            server_logger.handlers.clear()
            server_logger.propagate = True
        logging.getLogger("uvicorn.access").disabled = True
