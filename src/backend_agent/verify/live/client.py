"""A small HTTP/1.1 client for loopback targets: one keep-alive connection per thread.

The live gates talk only to a server on this machine; a client for any other
host is refused, so a typo in ``audit URL`` cannot point load or fuzzing at
someone else's service.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from backend_agent.errors import GateError

__all__ = ["Client", "Reply", "auth_header", "require_loopback"]

_LOOPBACK_NAMES = frozenset({"localhost"})


def require_loopback(url: str) -> tuple[str, int]:
    """The (host, port) of an http:// URL on this machine; ``GateError`` for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise GateError(f"{url!r} is not an http:// URL (for example http://127.0.0.1:8000)")
    host = parts.hostname
    loopback = host in _LOOPBACK_NAMES
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        raise GateError(
            f"{url} is not on this machine: the live gates run load and fuzzing, so they only "
            "target loopback addresses (127.0.0.1, ::1, localhost)"
        )
    return host, parts.port or 80


def auth_header(credential: str) -> tuple[str, str]:
    """The header a credential is sent in: ``Name: value`` as written, else a bearer token.

    A bearer token is token68 text (RFC 7235), which holds no ``": "``; so an API key
    header or a Basic authorization is written as the whole header line.
    """
    name, sep, value = credential.partition(": ")
    if sep and name and "\n" not in credential and "\r" not in credential:
        return name, value
    return "Authorization", f"Bearer {credential}"


@dataclass(frozen=True)
class Reply:
    """A response: status, headers (lower-case names) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None


class Client:
    """Requests to one loopback origin; safe to share between threads."""

    def __init__(self, base_url: str, *, timeout: float = 15.0) -> None:
        self.host, self.port = require_loopback(base_url)
        self.base_url = base_url.rstrip("/")
        self.prefix = urlsplit(base_url).path.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self.requests = 0
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return connection

    def _drop(self) -> None:
        """Close this thread's connection (the next request opens a new one)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def close(self) -> None:
        """Close every connection, from every thread."""
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()
        self._local = threading.local()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,  # a credential: a bearer token or a ``Name: value`` line
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request; a dropped keep-alive connection is retried once."""
        sent = {"Accept": "application/json", **(headers or {})}
        payload = None
        if token is not None:
            name, value = auth_header(token)
            sent[name] = value
        if json_body is not None:
            payload = json.dumps(json_body).encode("utf-8")
            sent["Content-Type"] = "application/json"
        elif form is not None:
            payload = urlencode(form).encode("utf-8")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:
            self.requests += 1
        for attempt in (1, 2):
            connection = self._connection()
            try:
                try:
                    connection.request(method, self.prefix + path, body=payload, headers=sent)
                except (BrokenPipeError, ConnectionResetError):
                    if payload is None:
                        raise
                    # A server may answer (413, say) and close before the body is all
                    # sent: its answer is still there to read.
                response = connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop()
                if attempt == 2:
                    raise
                continue
            found = {name.lower(): value for name, value in response.getheaders()}
            if found.get("connection", "").lower() == "close":
                self._drop()
            return Reply(response.status, found, body)
        raise AssertionError("unreachable")  # pragma: no cover
