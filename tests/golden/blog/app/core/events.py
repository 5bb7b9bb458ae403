"""Change events: a row created, updated or deleted, told to the clients watching its
entity (app/api/realtime.py) once the write has committed, on every replica.

A service publishes after its commit (``await events.current().publish(...)``): a
change that rolled back is never told, and one that committed is told at most once
(a replica that is down when it is published misses it; a client that reconnects
reads the list again). Each process keeps its watchers in a :class:`Hub`, and the hub
hears every change through a broker:

* in process, without Redis: one process sees only its own writes, which is the whole
  truth with one server process (the default on SQLite);
* Redis pub/sub with ``REDIS_URL`` (one channel, ``<prefix>events``): every replica
  hears every replica's changes, its own included, in the order Redis received them.

The event carries the row as the API shows it to a caller who may read every field,
as JSON; each watcher is sent it as that watcher may see it (app/api/realtime.py).
A watcher that falls ``queue_limit`` events behind is dropped (its queue would
otherwise grow without bound): the feed closes its socket with 1013, and the client
reconnects and reads the list again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis

from app.core.redis import REDIS_ERRORS, TIMEOUT_SECONDS
from app.core.responses import dumps

__all__ = ["Change", "Hub", "Watcher", "current", "current_hub"]

logger = logging.getLogger(__name__)

ACTIONS = frozenset({"created", "updated", "deleted"})


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change of one row."""

    entity: str  # its entity's plural, as the API names it: posts
    action: str  # created, updated or deleted
    id: str
    data: dict[str, Any]  # the row, as JSON values (a deleted row: as it last was)

    def encode(self) -> bytes:
        return dumps(
            {"entity": self.entity, "action": self.action, "id": self.id, "data": self.data}
        )

    @classmethod
    def decode(cls, payload: bytes | str) -> Change:
        value = orjson.loads(payload)
        if not isinstance(value, dict) or value.get("action") not in ACTIONS:
            raise ValueError("not a change event")
        return cls(
            str(value["entity"]), str(value["action"]), str(value["id"]), dict(value["data"])
        )


@dataclass(eq=False)
class Watcher:
    """One client's place in a feed: the changes it has yet to be sent."""

    queue: asyncio.Queue[Change]
    dropped: asyncio.Event = field(default_factory=asyncio.Event)  # it fell too far behind


class Broker(Protocol):
    async def publish(self, change: Change) -> None: ...

    async def close(self) -> None: ...


class Hub:
    """The watchers of this process, by entity, and the broker that tells them."""

    def __init__(self, *, queue_limit: int) -> None:
        self.queue_limit = queue_limit
        self._watchers: dict[str, set[Watcher]] = {}
        self.broker: Broker = _InProcess(self)

    async def publish(self, entity: str, action: str, row: Mapping[str, Any]) -> None:
        """Tell every replica's watchers of ``entity`` that ``row`` was ``action``
        (call it after the commit). A broker that fails loses the event, not the write."""
        data = orjson.loads(dumps(row))
        change = Change(entity, action, str(data["id"]), data)
        try:
            await self.broker.publish(change)
        except REDIS_ERRORS as exc:
            logger.warning("change event not published: %s", type(exc).__name__)

    def deliver(self, change: Change) -> None:
        """Queue ``change`` for this process's watchers of its entity."""
        for watcher in tuple(self._watchers.get(change.entity, ())):
            try:
                watcher.queue.put_nowait(change)
            except asyncio.QueueFull:
                watcher.dropped.set()
                self._watchers[change.entity].discard(watcher)

    @contextlib.contextmanager
    def watch(self, entity: str) -> Any:
        """A watcher of ``entity``'s changes, for the duration of the block."""
        watcher = Watcher(asyncio.Queue(self.queue_limit))
        self._watchers.setdefault(entity, set()).add(watcher)
        try:
            yield watcher
        finally:
            self._watchers.get(entity, set()).discard(watcher)

    def watching(self, entity: str) -> int:
        return len(self._watchers.get(entity, ()))

    async def use_redis(self, url: str, channel: str) -> None:
        """Hear and tell changes through Redis pub/sub on ``channel`` (every replica)."""
        self.broker = await _Redis.start(self, url, channel)

    async def close(self) -> None:
        await self.broker.close()


class _InProcess:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, change: Change) -> None:
        self.hub.deliver(change)

    async def close(self) -> None:
        return None


class _Redis:
    """Publishes on a channel and hears it on a connection of its own (a subscribed
    connection does nothing else), reconnecting after a failure."""

    def __init__(self, hub: Hub, url: str, channel: str) -> None:
        self.hub, self.channel = hub, channel
        self.client = Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        # No read timeout: the subscription waits for as long as nothing changes.
        self.listener = Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS)
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, hub: Hub, url: str, channel: str) -> _Redis:
        broker = cls(hub, url, channel)
        broker.task = asyncio.create_task(broker._listen(), name="change events")
        # Changes published from now on are heard (a failure: the listener keeps trying).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(broker.subscribed.wait(), TIMEOUT_SECONDS * 5)
        return broker

    async def publish(self, change: Change) -> None:
        await self.client.publish(self.channel, change.encode())

    async def _listen(self) -> None:
        while True:
            try:
                async for payload in self._messages():
                    try:
                        self.hub.deliver(Change.decode(payload))
                    except (ValueError, KeyError, TypeError):
                        logger.warning("a message on %s is not a change event", self.channel)
            except REDIS_ERRORS as exc:
                self.subscribed.clear()
                logger.warning(
                    "change events from Redis stopped (%s); retrying", type(exc).__name__
                )
                await asyncio.sleep(1.0)

    async def _messages(self) -> AsyncIterator[bytes]:
        async with self.listener.pubsub() as pubsub:
            await pubsub.subscribe(self.channel)
            self.subscribed.set()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield message["data"]

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.client.aclose()
        await self.listener.aclose()


_NOWHERE = Hub(queue_limit=1)  # outside requests and apps: changes go to no watcher
current_hub: ContextVar[Hub] = ContextVar("change_events", default=_NOWHERE)


def current() -> Hub:
    """The change events of the app serving this request (no watchers outside one)."""
    return current_hub.get()
