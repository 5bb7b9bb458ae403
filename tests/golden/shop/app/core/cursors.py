"""Cursors of the lists paged by keyset (an entity with ``pagination: cursor``).

A page of such a list ends with a cursor naming its last row by the list's sort key and
id; the next page is the rows after that one in the list's order (``WHERE (key, id) >
(:key, :id)``, app/repositories/keyset.py). Rows added or removed meanwhile never shift
a page: a row present all along is seen once, and a page costs the same at any depth.

The cursor is opaque and tamper-evident: the sort it was made for, the key and the id as
JSON, and an HMAC-SHA256 of them under the service's ``SECRET_KEY``, in base64url. One
altered, cut short, signed under another key or made for another sort is refused with a
422 naming ``query.cursor``, never reaching the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["InvalidCursor", "Position", "read", "write"]

# The last row of a page: its sort key (None for a NULL) and its id.
Position = tuple[Any, uuid.UUID]

_VERSION = 1
_DIGEST = 16  # bytes of the HMAC kept: 128 bits
_MAX_LENGTH = 1000  # characters (the query parameter's own bound)


class InvalidCursor(ValueError):
    """A cursor this service did not make for this list."""


def _pack(value: Any) -> list[Any]:
    """``value`` as JSON, tagged with its type so that it reads back as the same value."""
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", value.hex()]  # exact: a float ranks rows (search relevance)
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["D", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"a sort key of type {type(value).__name__} cannot be put in a cursor")


_UNPACK: dict[str, Any] = {
    "b": bool,
    "i": int,
    "f": float.fromhex,
    "d": Decimal,
    "t": datetime.fromisoformat,
    "D": date.fromisoformat,
    "u": uuid.UUID,
    "s": str,
}


def _unpack(packed: Any) -> Any:
    if packed == ["n"]:
        return None
    tag, value = packed
    return _UNPACK[tag](value)


def _signature(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_DIGEST]


def write(sort: str, position: Position, secret: bytes) -> str:
    """The cursor of the rows after ``position`` in the list sorted by ``sort``."""
    key, row_id = position
    payload = json.dumps(
        [_VERSION, sort, _pack(key), str(row_id)], separators=(",", ":"), ensure_ascii=False
    ).encode()
    token = payload + _signature(payload, secret)
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")


def read(cursor: str, sort: str, secret: bytes) -> Position:
    """The position ``cursor`` names in the list sorted by ``sort``.

    Raises :class:`InvalidCursor` (its message says why) for anything :func:`write` did
    not make under ``secret`` for that sort.
    """
    if len(cursor) > _MAX_LENGTH:
        raise InvalidCursor("is not a cursor of this list")
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("is not a cursor of this list") from None
    payload, signature = token[:-_DIGEST], token[-_DIGEST:]
    if len(token) <= _DIGEST or not hmac.compare_digest(signature, _signature(payload, secret)):
        raise InvalidCursor("is not a cursor of this list")
    version, made_for, key, row_id = json.loads(payload)
    if version != _VERSION:
        raise InvalidCursor("is a cursor of an earlier version of this service")
    if made_for != sort:
        raise InvalidCursor(f"was made for sort={made_for}: give that sort, or no cursor")
    return _unpack(key), uuid.UUID(row_id)
