"""Assertions shared by the tests."""

from __future__ import annotations

from typing import Any

import httpx


def assert_error(
    response: httpx.Response, status: int, code: str, *, fields: set[str] | None = None
) -> dict[str, Any]:
    """The response is an error envelope with this status and code (and these fields)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    error = body["error"]
    assert error["code"] == code
    assert error["requestId"] == response.headers["X-Request-ID"]
    assert error["timestamp"]
    if fields is not None:
        assert fields <= {detail["field"] for detail in error["details"]}, error["details"]
    return dict(error)


def data(response: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope with this status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def ids(response: httpx.Response) -> list[str]:
    """The ids of the rows of a list response, in order."""
    return [row["id"] for row in data(response)]
