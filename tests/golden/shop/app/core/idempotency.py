"""Idempotency keys of POST requests: what identifies a request, and what is kept of its answer.

A client that may retry a POST (a timeout, a dropped connection) sends an
``Idempotency-Key``. The first request with that key writes and stores its response;
a retry with the same key and the same request gets that response back instead of a
second row. Keys belong to the signed-in user who sent them: anonymous callers have
no scope to keep keys apart, so their key is ignored (each request is served anew).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

# Visible ASCII only: no spaces or control characters that proxies might rewrite.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"


@dataclass(frozen=True)
class IdempotentRequest:
    """A POST that a signed-in user sent with an Idempotency-Key."""

    user_id: uuid.UUID
    key: str
    fingerprint: str  # SHA-256 of the method, the path and the body
    ttl_seconds: int  # how long the stored response is replayed


@dataclass(frozen=True)
class Created:
    """A 201 answer: the new row and its URL; ``replayed`` when it is a stored one."""

    data: Any
    location: str
    replayed: bool = False


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path and body (JSON key order aside)."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()
