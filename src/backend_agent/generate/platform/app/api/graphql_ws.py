"""GraphQL subscriptions at ``/graphql`` over WebSocket, in the ``graphql-transport-ws``
protocol (the one Apollo, urql and graphql-ws speak).

1. The client opens the socket with the subprotocol ``graphql-transport-ws`` (else 4406)
   and sends ``connection_init`` within ``REALTIME_START_SECONDS`` (else 4408), its
   payload holding ``{"Authorization": "Bearer <token>"}`` or ``{"token": ...}`` when
   it signs in (an ``Authorization`` header on the handshake does too); a token that is
   not valid closes with 4401. The server answers ``connection_ack``.
2. ``subscribe`` with an id and a subscription (``subscription { postChanged { action id
   row { id title } } }``) starts one; each committed change of a row the caller may
   read is a ``next`` (filtered as the REST feeds are: app/api/realtime.py), until the
   client sends ``complete`` for it. A document that does not validate is an ``error``;
   a refusal (401, 403) a ``next`` with the REST code in ``extensions.code``, then
   ``complete``. Queries and mutations go over HTTP: here they are an ``error``.
3. ``ping`` is answered ``pong``. An id already running closes with 4409, a message
   that is not the protocol's with 4400, a subscribe before ``connection_ack`` with 4401.

The session is checked every ``REALTIME_HEARTBEAT_SECONDS``: once it ends, the socket
closes with 4401. A subscription whose client falls ``REALTIME_QUEUE_LIMIT`` changes
behind ends with a ``TOO_SLOW`` error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from inspect import isawaitable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast, subscribe

from app.api.graphql import Context, GraphQLService, entry, field_value
from app.api.realtime import NEEDS_TOKEN, Closed, signed_in

__all__ = ["graphql_ws_endpoint"]

PROTOCOL = "graphql-transport-ws"


def graphql_ws_endpoint(
    service: GraphQLService,
) -> Callable[[WebSocket], Coroutine[Any, Any, None]]:
    """The WebSocket endpoint of ``/graphql``."""

    async def endpoint(websocket: WebSocket) -> None:
        if PROTOCOL not in websocket.scope.get("subprotocols", ()):
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        await websocket.accept(subprotocol=PROTOCOL)
        session = _Session(websocket, service)
        try:
            await session.serve()
        except Closed as closed:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(closed.code, closed.reason)
        except WebSocketDisconnect:
            pass
        finally:
            await session.stop()

    return endpoint


class _Session:
    def __init__(self, websocket: WebSocket, service: GraphQLService) -> None:
        self.websocket, self.service = websocket, service
        self.settings = websocket.app.state.settings
        self.running: dict[str, asyncio.Task[None]] = {}
        self.token: str | None = None
        self.context: Context | None = None

    async def serve(self) -> None:
        await self._init()
        checks = asyncio.create_task(self._check_session())
        receiving = asyncio.create_task(self._receive())
        done, pending = await asyncio.wait({checks, receiving}, return_when=asyncio.FIRST_COMPLETED)
        await _cancelled(pending)
        for task in done:
            task.result()  # a close it asked for, or the client's leaving

    async def _init(self) -> None:
        try:
            message = await asyncio.wait_for(self._message(), self.settings.realtime_start_seconds)
        except TimeoutError:
            raise Closed(4408, "Connection initialisation timeout") from None
        if message.get("type") == "subscribe":
            raise Closed(NEEDS_TOKEN, "Unauthorized")
        if message.get("type") != "connection_init":
            raise Closed(4400, "connection_init first")
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise Closed(4400, "the payload of connection_init must be an object")
        self.token = _token(payload, self.websocket.headers.get("authorization", ""))
        user = await signed_in(self.websocket.app, self.token)
        self.context = Context(self.websocket, None, user)
        await self.websocket.send_json({"type": "connection_ack"})

    async def _message(self) -> dict[str, Any]:
        try:
            message = await self.websocket.receive_json()
        except ValueError:
            raise Closed(4400, "a message must be JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Closed(4400, "a message must be an object with a type")
        return message

    async def _receive(self) -> None:
        while True:
            message = await self._message()
            kind = message["type"]
            if kind == "ping":
                await self.websocket.send_json({"type": "pong"})
            elif kind == "pong":
                continue
            elif kind == "subscribe":
                await self._subscribe(message)
            elif kind == "complete":
                task = self.running.pop(str(message.get("id")), None)
                if task is not None:
                    task.cancel()
            else:
                raise Closed(4400, f"unknown message type {kind}")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not isinstance(payload, dict):
            raise Closed(4400, "subscribe needs an id and a payload")
        if operation_id in self.running:
            raise Closed(4409, f"Subscriber for {operation_id} already exists")
        query, variables = payload.get("query"), payload.get("variables")
        if not isinstance(query, str) or (
            variables is not None and not isinstance(variables, dict)
        ):
            raise Closed(4400, "the payload needs a query (text) and variables (an object)")
        document = self.service.document(query)
        if isinstance(document, list):
            await self._send_errors(operation_id, document)
            return
        chosen = get_operation_ast(document, payload.get("operationName"))
        if chosen is None or chosen.operation != OperationType.SUBSCRIPTION:
            refused = GraphQLError(
                "Send queries and mutations over HTTP (POST /graphql); subscriptions here.",
                extensions={"code": "BAD_REQUEST"},
            )
            await self._send_errors(operation_id, [refused])
            return
        started = subscribe(
            self.service.schema,
            document,
            context_value=self.context,
            variable_values=variables,
            operation_name=payload.get("operationName"),
            field_resolver=field_value,
        )
        results = await started if isawaitable(started) else started
        task = asyncio.create_task(self._forward(operation_id, results))
        self.running[operation_id] = task

    async def _forward(
        self, operation_id: str, results: AsyncIterator[ExecutionResult] | ExecutionResult
    ) -> None:
        try:
            if isinstance(results, ExecutionResult):  # refused before it began
                await self._next(operation_id, results)
            else:
                async for result in results:
                    await self._next(operation_id, result)
            await self.websocket.send_json({"type": "complete", "id": operation_id})
        except GraphQLError as error:  # the stream itself ended (a client too far behind)
            await self._send_errors(operation_id, [error])
        finally:
            self.running.pop(operation_id, None)

    async def _next(self, operation_id: str, result: ExecutionResult) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [entry(error) for error in result.errors]
        await self.websocket.send_json({"type": "next", "id": operation_id, "payload": payload})

    async def _send_errors(self, operation_id: str, errors: list[GraphQLError]) -> None:
        payload = [entry(error) for error in errors]
        await self.websocket.send_json({"type": "error", "id": operation_id, "payload": payload})

    async def _check_session(self) -> None:
        while True:
            await asyncio.sleep(self.settings.realtime_heartbeat_seconds)
            await signed_in(self.websocket.app, self.token)

    async def stop(self) -> None:
        """End every subscription, and wait until each has (a read it was making
        finishes, and gives its connection back)."""
        await _cancelled(set(self.running.values()))


async def _cancelled(tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _token(payload: dict[str, Any], header: str) -> str | None:
    """The token of connection_init's payload (``token``, or an ``Authorization`` bearer
    value), else of the handshake's header."""
    token = payload.get("token")
    if isinstance(token, str) and token:
        return token
    for value in (payload.get("Authorization"), payload.get("authorization"), header):
        if isinstance(value, str):
            scheme, _, presented = value.partition(" ")
            if scheme.lower() == "bearer" and presented.strip():
                return presented.strip()
    return None
