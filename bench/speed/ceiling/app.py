"""The ceiling: the same three blog endpoints with as few layers as Python allows.

Starlette routing, one driver call per query (asyncpg on PostgreSQL, the sqlite3
module on SQLite), JSON by orjson, and a JWT check with no database lookup. It shows
how fast a Python process can serve this data, not how a service should be written.
A POST does the essential work of the generated service's: the post and its audit row
(table ``audit_log``, the generated project's) inserted in one transaction.

Run (from this folder; the server settings of the generated project's ``app.server``):
``DATABASE_URL=... SECRET_KEY=... granian --interface asgi --http 1 --no-ws
--runtime-mode st --loop uvloop --no-access-log app:app``
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DATABASE_URL = os.environ["DATABASE_URL"]
SECRET_KEY = os.environ["SECRET_KEY"]
POOL_SIZE = int(os.environ.get("CEILING_POOL_SIZE", "16"))
IS_SQLITE = DATABASE_URL.startswith("sqlite")
COLUMNS = "id, title, body, status, published_at, owner_id, created_at, updated_at"
STATUSES = ("draft", "published")
INSERT_POST = (
    "INSERT INTO posts (id, title, body, status, published_at, owner_id, created_at, updated_at)"
)
# The generated project's audit log (app/models/platform.py, its first migration): who
# (actor_id), what (action, entity, entity_id), which request, when; detail NULL on create.
INSERT_AUDIT = (
    "INSERT INTO audit_log (id, actor_id, action, entity, entity_id, request_id, detail,"
    " created_at)"
)

_db: Any = None


def _default(value: object) -> object:
    # asyncpg hands back its own UUID class, which orjson does not know.
    return str(value)


def _json(content: object, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(content, default=_default), status_code, media_type="application/json"
    )


def _error(status_code: int, message: str) -> Response:
    return _json(
        {"success": False, "error": {"code": status_code, "message": message}}, status_code
    )


# --- SQLite: ids are 32-hex-digit strings, datetimes naive UTC text -------------------


def _sqlite_row(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(row[0])),
        "title": row[1],
        "body": row[2],
        "status": row[3],
        "published_at": row[4] and row[4].replace(" ", "T") + "+00:00",
        "owner_id": str(uuid.UUID(row[5])),
        "created_at": row[6].replace(" ", "T") + "+00:00",
        "updated_at": row[7].replace(" ", "T") + "+00:00",
    }


def _sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- handlers ------------------------------------------------------------------------


async def get_post(request: Request) -> Response:
    try:
        post_id = uuid.UUID(request.path_params["id"])
    except ValueError:
        return _error(422, "id is not a UUID")
    sql = f"SELECT {COLUMNS} FROM posts WHERE id = {{}} AND deleted_at IS NULL"
    if IS_SQLITE:
        raw = _db.execute(sql.format("?"), (post_id.hex,)).fetchone()
        row = raw and _sqlite_row(raw)
    else:
        found = await _db.fetchrow(sql.format("$1"), post_id)
        row = found and dict(found)
    if not row:
        return _error(404, "Post not found")
    return _json({"success": True, "data": row})


async def list_posts(request: Request) -> Response:
    try:
        page = int(request.query_params.get("page", "1"))
        limit = int(request.query_params.get("limit", "20"))
    except ValueError:
        return _error(422, "page and limit are integers")
    if page < 1 or not 1 <= limit <= 100:
        return _error(422, "page >= 1, 1 <= limit <= 100")
    offset = (page - 1) * limit
    count = "SELECT count(*) FROM posts WHERE deleted_at IS NULL"
    rows_sql = (
        f"SELECT {COLUMNS} FROM posts WHERE deleted_at IS NULL"
        " ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}"
    )
    if IS_SQLITE:
        total = _db.execute(count).fetchone()[0]
        raw = _db.execute(rows_sql.format("?", "?"), (limit, offset)).fetchall()
        rows = [_sqlite_row(r) for r in raw]
    else:
        async with _db.acquire() as conn:
            total = await conn.fetchval(count)
            rows = [dict(r) for r in await conn.fetch(rows_sql.format("$1", "$2"), limit, offset)]
    meta = {"page": page, "limit": limit, "total": total}
    return _json({"success": True, "data": rows, "meta": meta})


def _claims(request: Request) -> dict[str, Any] | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        claims: dict[str, Any] = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return None
    return claims


def _post_values(body: Any) -> dict[str, Any] | None:
    if not isinstance(body, dict) or set(body) - {"title", "body", "status", "published_at"}:
        return None
    title, text = body.get("title"), body.get("body")
    status, published = body.get("status", "draft"), body.get("published_at")
    if not isinstance(title, str) or not 1 <= len(title) <= 200 or status not in STATUSES:
        return None
    if text is not None and (not isinstance(text, str) or len(text) > 20000):
        return None
    try:
        published_at = datetime.fromisoformat(published) if published is not None else None
    except (TypeError, ValueError):
        return None
    return {"title": title, "body": text, "status": status, "published_at": published_at}


async def create_post(request: Request) -> Response:
    claims = _claims(request)
    if claims is None:
        return _error(401, "Could not validate credentials")
    if claims.get("role") not in ("author", "admin"):
        return _error(403, "Not enough permissions")
    try:
        values = _post_values(orjson.loads(await request.body()))
    except orjson.JSONDecodeError:
        values = None
    if values is None:
        return _error(422, "The body is not a valid post")
    post_id, owner_id, now = uuid.uuid4(), uuid.UUID(claims["sub"]), datetime.now(UTC)
    fields = (post_id, values["title"], values["body"], values["status"])
    # The generated service's request id (``secrets.token_hex(16)``), kept in the audit row.
    request_id = secrets.token_hex(16)
    if IS_SQLITE:
        published = values["published_at"] and _sqlite_time(values["published_at"])
        stamp = _sqlite_time(now)
        with _db:  # one transaction: committed on the way out, rolled back on an error
            raw = _db.execute(
                f"{INSERT_POST} VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}",
                (post_id.hex, *fields[1:], published, owner_id.hex, stamp, stamp),
            ).fetchone()
            _db.execute(
                f"{INSERT_AUDIT} VALUES (?, ?, 'create', 'posts', ?, ?, NULL, ?)",
                (uuid.uuid4().hex, owner_id.hex, post_id.hex, request_id, stamp),
            )
        row = _sqlite_row(raw)
    else:
        async with _db.acquire() as conn, conn.transaction():
            found = await conn.fetchrow(
                f"{INSERT_POST} VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}",
                *fields,
                values["published_at"],
                owner_id,
                now,
            )
            await conn.execute(
                f"{INSERT_AUDIT} VALUES ($1, $2, 'create', 'posts', $3, $4, NULL, $5)",
                uuid.uuid4(),
                owner_id,
                post_id,
                request_id,
                now,
            )
        row = dict(found)
    return _json({"success": True, "data": row}, 201)


_hasher = PasswordHasher()


async def login(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
        email, password = str(body["email"]).lower(), str(body["password"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(422, "email and password are required")
    sql = "SELECT id, role, password_hash FROM users WHERE email = {} AND is_active"
    if IS_SQLITE:
        user = _db.execute(sql.format("?"), (email,)).fetchone()
    else:
        user = await _db.fetchrow(sql.format("$1"), email)
    try:
        if user is None:
            raise VerificationError
        _hasher.verify(user[2], password)
    except (VerificationError, InvalidHashError):
        return _error(401, "Incorrect email or password")
    claims = {
        "sub": str(uuid.UUID(str(user[0]))),
        "role": user[1],
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    token = jwt.encode(claims, SECRET_KEY, algorithm="HS256")
    return _json({"success": True, "data": {"access_token": token, "token_type": "bearer"}})


@contextlib.asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global _db
    if IS_SQLITE:
        path = DATABASE_URL.split(":///", 1)[1]
        _db = sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")
        _db.execute("PRAGMA journal_mode=WAL")
        _db.execute("PRAGMA busy_timeout=5000")
        yield
        _db.close()
        return
    import asyncpg

    dsn = DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
    _db = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
    yield
    await _db.close()


app = Starlette(
    routes=[
        Route("/api/v1/auth/login", login, methods=["POST"]),
        Route("/api/v1/posts", list_posts, methods=["GET"]),
        Route("/api/v1/posts", create_post, methods=["POST"]),
        Route("/api/v1/posts/{id}", get_post, methods=["GET"]),
    ],
    lifespan=lifespan,
)
