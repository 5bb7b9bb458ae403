"""Live change feeds: a WebSocket per entity at ``<prefix>/<plural>/events``.

The conversation, in JSON text messages:

1. the client opens the socket and sends ``{"type": "start"}``, with ``"token": "<access
   token>"`` (or an ``Authorization: Bearer`` header on the handshake; browsers cannot
   set one), within ``REALTIME_START_SECONDS``;
2. the server answers ``{"type": "ready"}``, then for each change of a row the caller
   may read, once its write has committed: ``{"type": "change", "action": "created" |
   "updated" | "deleted", "id": "...", "data": {...}}`` (the row as the caller may see
   it, without the fields its role may not read; ``null`` for a deletion);
3. every ``REALTIME_HEARTBEAT_SECONDS`` without a change, ``{"type": "heartbeat"}``.

Who sees what is the entity's read rule, as for ``GET <prefix>/<plural>/{id}``: the
rule is checked at the start (4401 without a valid token where it needs one, 4403 for
a role it refuses), a caller limited to its own rows is sent only changes of its own
rows, and a row under a parent the caller may not read is never sent. The session is
checked again at each heartbeat: a token that expired or a session revoked (logout,
password change) closes the socket with 4401. A client that falls
``REALTIME_QUEUE_LIMIT`` changes behind is closed with 1013 (try again later): it
reconnects and reads the list again. Changes reach every replica's clients through
app.core.events.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import events
from app.core.errors import AppError
from app.core.permissions import Access, Rule, access
from app.core.security import decode_access_token
from app.repositories import user as user_repo
from app.repositories.base import utcnow
from app.schemas.auth import AuthUser

__all__ = [
    "NEEDS_TOKEN",
    "Closed",
    "Feed",
    "TooFarBehind",
    "next_change",
    "realtime_router",
    "signed_in",
]

NEEDS_TOKEN = 4401  # no valid token where the read rule needs one; expired or revoked
REFUSED = 4403  # the read rule refuses the caller's role
TOO_SLOW = 1013  # fell too far behind: reconnect and read the list again
BAD_START = 4400  # the first message is not a start


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """One entity's change feed and the read rules that filter it."""

    entity: str  # its plural: the path's last segment but one, and its events' name
    rule: Rule  # its read rule
    readers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # fields some roles see
    # A parent whose read rule keeps some callers from some rows: its key on the rows,
    # and whether the caller may see a parent (its service's is_visible).
    parent_column: str | None = None
    parent_visible: (
        Callable[[AsyncConnection, AuthUser | None, uuid.UUID], Awaitable[bool]] | None
    ) = None

    async def seen(
        self, app: Any, user: AuthUser | None, decision: Access, change: events.Change
    ) -> events.Change | None:
        """``change`` as the caller may see it (its ``data`` without the fields its role
        may not read; empty for a deletion), or ``None`` when it may not see the row.
        ``decision`` is its read rule's, and ``app`` the app (a parent is read there)."""
        row = change.data
        if decision.owner_id is not None and row.get("owner_id") != str(decision.owner_id):
            return None
        if self.parent_column is not None and self.parent_visible is not None:
            parent = row.get(self.parent_column)
            if parent is not None:
                try:
                    async with app.state.engine.connect() as db:
                        if not await self.parent_visible(db, user, uuid.UUID(str(parent))):
                            return None
                except AppError:
                    return None
        if change.action == "deleted":
            return replace(change, data={})
        role = user.role if user is not None else None
        data = {
            name: value
            for name, value in row.items()
            if name not in self.readers or role in self.readers[name]
        }
        return replace(change, data=data)


class TooFarBehind(Exception):
    """The client fell ``REALTIME_QUEUE_LIMIT`` changes behind: changes were lost."""


async def next_change(watcher: events.Watcher) -> events.Change:
    """The next change queued for ``watcher``; :class:`TooFarBehind` once the hub has
    dropped it."""
    taken = asyncio.ensure_future(watcher.queue.get())
    dropped = asyncio.ensure_future(watcher.dropped.wait())
    try:
        await asyncio.wait({taken, dropped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in (taken, dropped):
            if not waiting.done():
                waiting.cancel()
    if dropped.done() or not taken.done() or taken.cancelled():
        raise TooFarBehind
    return taken.result()


class Closed(Exception):
    """The socket is to be closed with ``code`` (and ``reason``)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def realtime_router(feeds: Sequence[Feed]) -> APIRouter:
    """A WebSocket route per feed, at ``/<plural>/events`` (under the API's prefix)."""
    router = APIRouter()
    for feed in feeds:
        router.add_api_websocket_route(
            f"/{feed.entity}/events", _endpoint(feed), name=f"{feed.entity}_events"
        )
    return router


def _endpoint(feed: Feed) -> Callable[[WebSocket], Awaitable[None]]:
    async def watch(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await _serve(websocket, feed)
        except Closed as closed:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(closed.code, closed.reason)
        except WebSocketDisconnect:
            return

    return watch


async def _serve(websocket: WebSocket, feed: Feed) -> None:
    settings = websocket.app.state.settings
    hub: events.Hub = websocket.app.state.events
    token = await _start(websocket, settings.realtime_start_seconds)
    user = await signed_in(websocket.app, token)
    decision = _decide(feed, user)
    with hub.watch(feed.entity) as watcher:
        await websocket.send_json({"type": "ready"})
        listening = asyncio.create_task(_drain(websocket))
        try:
            await _forward(websocket, feed, user, decision, watcher, token, listening)
        finally:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await listening


async def _start(websocket: WebSocket, seconds: float) -> str | None:
    """The token the client starts with (its start message's, else the handshake's)."""
    try:
        message = await asyncio.wait_for(websocket.receive_json(), seconds)
    except TimeoutError:
        raise Closed(BAD_START, "no start message") from None
    except ValueError:
        raise Closed(BAD_START, "the start message is not JSON") from None
    if not isinstance(message, dict) or message.get("type") != "start":
        raise Closed(BAD_START, 'the first message must be {"type": "start"}')
    token = message.get("token")
    if token is not None and not isinstance(token, str):
        raise Closed(BAD_START, "the token must be text")
    if token is None:
        scheme, _, presented = websocket.headers.get("authorization", "").partition(" ")
        token = presented.strip() if scheme.lower() == "bearer" and presented.strip() else None
    return token


async def signed_in(app: Any, token: str | None) -> AuthUser | None:
    """The account behind ``token`` on ``app`` (``None`` without one); :class:`Closed`
    with 4401 for a token that is not valid, expired, or whose session has ended."""
    if token is None:
        return None
    claims = decode_access_token(token, app.state.settings)
    if claims is None:
        raise Closed(NEEDS_TOKEN, "the token is not valid")
    async with app.state.engine.connect() as db:
        row = await user_repo.get_session_user(
            db, session_id=claims.session_id, user_id=claims.user_id, now=utcnow()
        )
    if row is None:
        raise Closed(NEEDS_TOKEN, "the session has ended")
    return AuthUser(session_id=claims.session_id, **row)


def _decide(feed: Feed, user: AuthUser | None) -> Access:
    decision = access(feed.rule, user)
    if not decision.allowed:
        if user is None:
            raise Closed(NEEDS_TOKEN, "sign in to watch these changes")
        raise Closed(REFUSED, "your role may not read these rows")
    return decision


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so that its leaving is noticed."""
    while True:
        await websocket.receive_text()


async def _forward(
    websocket: WebSocket,
    feed: Feed,
    user: AuthUser | None,
    decision: Access,
    watcher: events.Watcher,
    token: str | None,
    listening: asyncio.Task[None],
) -> None:
    heartbeat = websocket.app.state.settings.realtime_heartbeat_seconds
    while True:
        change = asyncio.ensure_future(watcher.queue.get())
        dropped = asyncio.ensure_future(watcher.dropped.wait())
        done, _ = await asyncio.wait(
            {change, dropped, listening}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED
        )
        for waiting in (change, dropped):
            if waiting not in done:
                waiting.cancel()
        if listening in done:
            return  # the client left (or sent something we could not read)
        if dropped in done:
            raise Closed(TOO_SLOW, "too far behind: reconnect and read the list again")
        if change not in done:
            if user is not None:  # the session again: Closed with 4401 once it has ended
                await signed_in(websocket.app, token)
            await websocket.send_json({"type": "heartbeat"})
            continue
        seen = await feed.seen(websocket.app, user, decision, change.result())
        if seen is not None:
            data = None if seen.action == "deleted" else seen.data
            await websocket.send_json(
                {"type": "change", "action": seen.action, "id": seen.id, "data": data}
            )
