"""Apps of their own, for tests that need one built differently from the session's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serving(
    application: FastAPI, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``application`` (built by ``create_app``), through ``transport`` (by
    default in process, HTTP only); its engines and stores are closed afterwards."""
    transport = transport or httpx.ASGITransport(app=application)
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
