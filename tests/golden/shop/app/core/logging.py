"""Structured logs: one JSON object per line, with the request id, never a secret.

Secrets are redacted when a record is formatted, whatever logged it (our code, the
framework, a driver's error message): bearer tokens, JWTs, cookies, and the values of
keys such as ``password`` or ``refresh_token`` in ``key=value`` and JSON form.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
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
# looking for them is cheaper than running every pattern. In ASCII text, substrings of
# the lower-cased text (a tenth of the regular expression's time on a request path);
# elsewhere the expression, whose case-insensitive matching also takes a few other
# letters (the long s, U+017F; the Kelvin sign, U+212A) for ASCII ones.
_SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "authorization",
    "cookie",
    "bearer",
    "eyj",
)
_MAYBE_SECRET = re.compile("|".join(_SECRET_WORDS), re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every secret the patterns recognise replaced by ``[REDACTED]``."""
    if text.isascii():
        lowered = text.lower()
        if not any(word in lowered for word in _SECRET_WORDS):
            return text
    elif not _MAYBE_SECRET.search(text):
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


def _head(
    time: datetime, level: str, logger: str, request_id: str | None, message: str
) -> dict[str, Any]:
    """The fields every JSON line starts with, in their order."""
    return {
        "time": time.isoformat(),
        "level": level,
        "logger": logger,
        "request_id": request_id or None,
        "message": message,
    }


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON line: time, level, logger, request id, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = _head(
            datetime.fromtimestamp(record.created, UTC),
            record.levelname,
            record.name,
            getattr(record, "request_id", None),
            redact(record.getMessage()),
        )
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = redact_value(key, value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


class BatchingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes its lines in batches.

    One write per line costs far more than the line: the write gives up the GIL, and the
    event loop's thread then waits for the server's threads to hand it back. Lines at
    ``flush_level`` (WARNING) and above are written at once, with any waiting before
    them; the others when ``max_bytes`` are waiting or ``seconds`` have passed since the
    last write (a background thread checks), and at exit (``logging.shutdown``).
    """

    def __init__(
        self,
        stream: Any = None,
        *,
        seconds: float = 0.2,
        max_bytes: int = 64 * 1024,
        flush_level: int = logging.WARNING,
    ) -> None:
        super().__init__(stream)
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.flush_level = flush_level
        self._pending: list[str] = []
        self._size = 0
        self._written = time.monotonic()
        self._stopped = threading.Event()  # not _closed: logging.Handler has its own
        self.flusher: threading.Thread | None = None
        self._flusher_pid = 0  # the process the flusher runs in (servers fork workers)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
            return
        self._add(line, record.levelno)

    def write_line(self, line: str, level: int = logging.INFO) -> None:
        """Write ``line``, formatted already, as :meth:`emit` writes a record's."""
        with self.lock:  # type: ignore[union-attr]
            self._add(line + self.terminator, level)

    def _add(self, line: str, level: int) -> None:
        if self._flusher_pid != os.getpid():
            self._start_flusher()
        self._pending.append(line)
        self._size += len(line)
        if (
            level >= self.flush_level
            or self._size >= self.max_bytes
            or time.monotonic() - self._written >= self.seconds
        ):
            self._write()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write()
            super().flush()

    def close(self) -> None:
        self._stopped.set()
        self.flush()
        super().close()

    def _write(self) -> None:
        self._written = time.monotonic()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._size = 0
        self.stream.write(text)
        self.stream.flush()

    def _start_flusher(self) -> None:
        self._flusher_pid = os.getpid()
        self.flusher = threading.Thread(
            target=self._flush_now_and_then, name="log-flusher", daemon=True
        )
        self.flusher.start()

    def _flush_now_and_then(self) -> None:
        while not self._stopped.wait(self.seconds):
            if self._pending and time.monotonic() - self._written >= self.seconds:
                self.flush()


def log_access(
    logger: logging.Logger,
    method: str,
    path: str,
    query: str,
    status: int,
    seconds: float,
    client: str | None,
) -> None:
    """Log the access line of one request on ``logger`` (INFO), path and query redacted.

    Under the logging :func:`configure_logging` sets up, the line goes straight to its
    handler, built as :class:`JsonFormatter` builds it from a record: the record and its
    formatting cost several times the line. Any other set-up (a test capturing logs,
    a configuration of your own) gets an ordinary record.
    """
    if not logger.isEnabledFor(logging.INFO):
        return
    path = redact(path)
    http = {
        "method": redact(method),
        "path": path,
        "query": redact(query),
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": client,
    }
    handler = _direct_handler(logger)
    if handler is None:
        logger.info("%s %s %s", http["method"], path, status, extra={"http": http})
        return
    message = f"{http['method']} {path} {status}"
    entry = _head(datetime.now(UTC), "INFO", logger.name, current_request_id(), message)
    entry["http"] = http
    handler.write_line(orjson.dumps(entry, default=str).decode())


def _direct_handler(logger: logging.Logger) -> BatchingHandler | None:
    """The one handler a record of ``logger`` would reach, if it is a plain
    :class:`BatchingHandler` with a :class:`JsonFormatter` and nothing filters on the
    way; else ``None``."""
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters or current.disabled:
            return None
        if current.handlers:
            if len(current.handlers) != 1 or (current.propagate and current.parent is not None):
                return None
            handler = current.handlers[0]
            if (
                type(handler) is not BatchingHandler
                or type(handler.formatter) is not JsonFormatter
                or handler.filters
                or handler.level > logging.INFO
            ):
                return None
            return handler
        current = current.parent if current.propagate else None
    return None


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
    handler = BatchingHandler()
    handler.setFormatter(JsonFormatter())
    target.addHandler(handler)
    target.setLevel(level)
    if logger is None:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "_granian"):
            server_logger = logging.getLogger(name)
            server_logger.handlers.clear()
            server_logger.propagate = True
        logging.getLogger("uvicorn.access").disabled = True
