"""How many SQL statements each request sends: ``db_statements_total`` by route.

An N+1 (a statement per row of a page) shows in production as a route whose statements
grow with its traffic's page sizes. Each request counts its own statements: the request
middleware opens a count (:func:`counting`), every statement sent while serving it adds
one, and the total goes to the route's series when it is answered.

Two kinds of statement are counted:

* those SQLAlchemy sends, through a listener on every engine (``after_cursor_execute``,
  installed once by :func:`install`; the fast path reads through the driver only while
  nothing listens *before* a statement, so this listener leaves it on);
* the fast path's reads straight through the driver (``app.fastpath.reads``), which
  call :func:`counted`.

A statement sent outside any request (jobs, the CLI, tests' own set-up) is not counted.
The count lives in a context variable, so concurrent requests never mix theirs; the
cost is one lookup and one addition per statement.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["Count", "counted", "counting", "install", "stop_counting"]


class Count:
    """The statements of one request so far."""

    __slots__ = ("statements",)

    def __init__(self) -> None:
        self.statements = 0


_current: ContextVar[Count | None] = ContextVar("statement_count", default=None)


def counting() -> tuple[Count, Token[Count | None]]:
    """Open a count for the current request: its statements add to the ``Count``
    returned until :func:`stop_counting` is given the token."""
    count = Count()
    return count, _current.set(count)


def stop_counting(token: Token[Count | None]) -> None:
    """Close the count opened with ``token``."""
    _current.reset(token)


def counted(statements: int = 1) -> None:
    """Add ``statements`` to the current request's count (none open: nothing)."""
    count = _current.get()
    if count is not None:
        count.statements += statements


def _after_cursor_execute(*_: Any) -> None:
    count = _current.get()
    if count is not None:
        count.statements += 1


def install() -> None:
    """Count the statements of every engine of the process (once, however many apps)."""
    if not event.contains(Engine, "after_cursor_execute", _after_cursor_execute):
        event.listen(Engine, "after_cursor_execute", _after_cursor_execute)
