"""Apps of their own, for tests that need one built differently from the session's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serving(
    application: FastAPI, *, websockets: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``application`` (built by ``create_app``), that speaks WebSocket too
    with ``websockets`` (httpx-ws); its engines and stores are closed afterwards."""
    transport = httpx.ASGITransport(app=application)
    if websockets:
        from httpx_ws.transport import ASGIWebSocketTransport

        transport = ASGIWebSocketTransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        state = application.state
        await state.rate_limit_store.close()
        if state.read_engine is not state.engine:
            await state.read_engine.dispose()
        await state.engine.dispose()
        if state.inline_read_engine is not None:
            state.inline_read_engine.dispose()
        if state.sqlite_writer is not None:
            state.sqlite_writer.engine.dispose()
