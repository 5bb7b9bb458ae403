"""A GraphQL request's reads of the database: one at a time, and batched."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Loader"]


class Loader:
    """The request's reads: one at a time on its connection, and batched.

    Resolvers run concurrently (the fields of a query, the rows of a list), while a
    connection serves one statement at a time: every read takes :attr:`lock`. A
    relation field of each row of a page asks :meth:`load` for its row (or rows); the
    asks of one turn of the event loop for the same field and arguments are read
    together, in one statement for the whole page.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self._waiting: dict[Hashable, _Batch] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def load(
        self,
        key: Hashable,
        read: Callable[[list[uuid.UUID]], Awaitable[Mapping[uuid.UUID, Any]]],
        item: uuid.UUID,
    ) -> Any:
        """What ``read`` gives for ``item``, read with the other items asked for under
        ``key`` in this turn (``None`` when it gives nothing for it)."""
        batch = self._waiting.get(key)
        if batch is None:
            batch = self._waiting[key] = _Batch(read)
            asyncio.get_running_loop().call_soon(self._dispatch, key)
        future = batch.items.get(item)
        if future is None:
            future = batch.items[item] = asyncio.get_running_loop().create_future()
        return await future

    def _dispatch(self, key: Hashable) -> None:
        task = asyncio.ensure_future(self._run(self._waiting.pop(key)))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: _Batch) -> None:
        try:
            async with self.lock:
                found = await batch.read(list(batch.items))
        except Exception as error:  # each field that asked fails with it
            for future in batch.items.values():
                if not future.done():
                    future.set_exception(error)
            return
        for item, future in batch.items.items():
            if not future.done():
                future.set_result(found.get(item))

    def close(self) -> None:
        """Stop the reads still running: the request is over."""
        for task in self._running:
            task.cancel()


@dataclass(slots=True)
class _Batch:
    read: Callable[[list[uuid.UUID]], Awaitable[Mapping[uuid.UUID, Any]]]
    items: dict[uuid.UUID, asyncio.Future[Any]] = field(default_factory=dict)
