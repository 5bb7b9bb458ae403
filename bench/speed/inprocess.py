"""CPU per request of the generated blog app alone, through its ASGI interface.

No server, no sockets to the client, no load generator: the app is called in process
(16 concurrent callers), so what is measured is the app's own cost per request, the
figure a change to the generated code moves. Run it with the project's own python,
from the project's folder:

    cd <generated blog> && <its python> <repo>/bench/speed/inprocess.py DATABASE_URL [N]

It migrates the database, signs up an author, creates a post, then measures N GETs of
that post and N/3 authenticated POSTs, after 200 warm-up requests each. The process's
CPU time (user + system) is divided by the requests; the database's own CPU is not
included. Run it twice and compare runs of the same moment: on a shared machine the
figures move by 10-20 %.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import uuid
from typing import Any

LIMITS = {"RATE_LIMIT_READ": "10000000/minute", "RATE_LIMIT_WRITE": "10000000/minute"}
CALLERS = 16
PASSWORD = "Passw0rd!Passw0rd"


async def call(
    app: Any, method: str, path: str, body: bytes = b"", headers: tuple[Any, ...] = ()
) -> tuple[int, bytes]:
    """One request through the ASGI interface; the status and the body."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    raw = [(b"host", b"bench"), (b"content-length", str(len(body)).encode()), *headers]
    if body:
        raw.append((b"content-type", b"application/json"))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def measure(app: Any, label: str, requests: int, *args: Any) -> None:
    for _ in range(200):
        await call(app, *args)

    async def caller(count: int) -> None:
        for _ in range(count):
            status, body = await call(app, *args)
            if status not in (200, 201):
                raise SystemExit(f"{label}: {status} {body[:300]!r}")

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller(requests // CALLERS) for _ in range(CALLERS)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done = requests // CALLERS * CALLERS
    print(f"{label}: {1000 * cpu / done:.3f} ms CPU/request, {done / wall:.0f} requests/s")


async def main(database_url: str, requests: int) -> None:
    os.environ.update(
        DATABASE_URL=database_url, ENVIRONMENT="production", SECRET_KEY="s" * 48,
        CACHE_ENABLED="false", RATE_LIMIT_OVERRIDES="{}", **LIMITS,
    )  # fmt: skip
    sys.path.insert(0, os.getcwd())
    # The app logs as usual (access log on), to nowhere: set before the app is imported.
    logging.getLogger().addHandler(logging.NullHandler())
    from app.core.migrations import upgrade
    from app.main import create_app
    from sqlalchemy import text

    app = create_app()
    await upgrade(app.state.engine)
    async with app.router.lifespan_context(app):
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        credentials = json.dumps({"email": email, "password": PASSWORD}).encode()
        await call(app, "POST", "/api/v1/auth/register", credentials)
        async with app.state.engine.begin() as db:
            promote = text("UPDATE users SET role = 'author' WHERE email = :email")
            await db.execute(promote, {"email": email})
        _, body = await call(app, "POST", "/api/v1/auth/login", credentials)
        token = json.loads(body)["data"]["access_token"]
        auth = ((b"authorization", f"Bearer {token}".encode()),)
        post = json.dumps({"title": "Title", "body": "Body", "status": "published"}).encode()
        status, body = await call(app, "POST", "/api/v1/posts", post, auth)
        if status != 201:
            raise SystemExit(f"create: {status} {body[:300]!r}")
        item = f"/api/v1/posts/{json.loads(body)['data']['id']}"
        await measure(app, "get", requests, "GET", item)
        await measure(app, "post", requests // 3, "POST", "/api/v1/posts", post, auth)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000))
