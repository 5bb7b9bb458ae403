"""The cursors of lists paged by keyset (app/core/cursors.py), on their own: every sort
key reads back as the value it was, and nothing but a cursor written under the same key
for the same sort is read."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import cursors

SECRET = b"test-secret-key-not-for-production-0123456789"

KEYS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.uuids(),
    st.text(max_size=100),
)


@given(key=KEYS, row_id=st.uuids(), sort=st.sampled_from(["title", "-created_at", "relevance"]))
def test_a_cursor_reads_back_as_its_position(key: Any, row_id: uuid.UUID, sort: str) -> None:
    cursor = cursors.write(sort, (key, row_id), SECRET)
    assert cursor.isascii()
    assert "=" not in cursor  # as it is in a URL, unquoted
    found_key, found_id = cursors.read(cursor, sort, SECRET)
    assert found_id == row_id
    assert type(found_key) is type(key)
    assert found_key == key
    if isinstance(key, float):
        assert found_key.hex() == key.hex()  # -0.0 stays -0.0: the very rank


def test_every_altered_byte_is_refused() -> None:
    cursor = cursors.write("title", ("Zürich", uuid.uuid4()), SECRET)
    token = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for index in range(len(token)):
        altered = bytearray(token)
        altered[index] ^= 0x01
        forged = base64.urlsafe_b64encode(bytes(altered)).rstrip(b"=").decode()
        with pytest.raises(cursors.InvalidCursor, match="not a cursor of this list"):
            cursors.read(forged, "title", SECRET)


@pytest.mark.parametrize(
    "cursor",
    ["", "x", "%%%", "a" * 1001, "eyJ0aXRsZSI6MX0", base64.urlsafe_b64encode(b"{}" * 9).decode()],
)
def test_what_no_service_wrote_is_refused(cursor: str) -> None:
    with pytest.raises(cursors.InvalidCursor, match="not a cursor of this list"):
        cursors.read(cursor, "title", SECRET)


def test_a_cursor_is_read_only_under_its_key_and_for_its_sort() -> None:
    cursor = cursors.write("-created_at", (datetime(2026, 1, 2, tzinfo=UTC), uuid.uuid4()), SECRET)
    with pytest.raises(cursors.InvalidCursor, match="not a cursor of this list"):
        cursors.read(cursor, "-created_at", b"another-secret-key-of-another-service-0000")
    with pytest.raises(cursors.InvalidCursor, match="made for sort=-created_at"):
        cursors.read(cursor, "created_at", SECRET)


def test_a_key_of_another_type_is_our_bug_not_a_cursor() -> None:
    with pytest.raises(TypeError, match="list"):
        cursors.write("title", ([1], uuid.uuid4()), SECRET)


@pytest.mark.parametrize("key", [Decimal("1.50"), date(2026, 2, 3), -0.0, "", True, 0])
def test_keys_keep_their_exact_value_and_type(key: Any) -> None:
    found, _ = cursors.read(cursors.write("k", (key, uuid.UUID(int=1)), SECRET), "k", SECRET)
    assert (type(found), str(found)) == (type(key), str(key))
