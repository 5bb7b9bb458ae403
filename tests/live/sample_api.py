"""A small hand-written API that the audit tests point at: not generated, not our conventions.

It keeps its rows in memory, uses integer ids, plain (non-enveloped) JSON, a
``/auth/token`` login and an ``order`` sort parameter, so an audit that passes
here is not coupled to backend-agent's own output. ``SAMPLE_BROKEN`` breaks it
on purpose: ``auth`` lets anyone create notes, ``crash`` turns a quote in the
title filter into a 500, ``assign`` stores whatever fields a client sends,
``bola`` lets any signed-in user delete another's note.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

BROKEN = os.environ.get("SAMPLE_BROKEN", "")
USERS = {  # username: (password, role)
    "alice": ("alice-password", "editor"),
    "bob": ("bob-password", "editor"),
    "carol": ("carol-password", "viewer"),
}
LOGIN_LIMIT = 5  # attempts per client per minute
MAX_NOTES = 500_000


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class NoteIn(BaseModel):
    # Broken on purpose in 'assign' mode: any field a client sends is stored and returned.
    model_config = ConfigDict(extra="allow" if BROKEN == "assign" else "ignore")

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(default="", max_length=2000)
    tag: Literal["work", "home", "misc"] = "misc"


class Note(NoteIn):
    id: int
    owner: str


class NotePage(BaseModel):
    items: list[Note]
    total: int


class Problem(BaseModel):
    detail: str


class Me(BaseModel):
    username: str
    role: str


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem}


app = FastAPI(title="Sample notes", version="1.0.0")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example"],
    allow_methods=["GET", "POST", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)

_lock = threading.Lock()
_notes: dict[int, Note] = {}
_tokens: dict[str, str] = {}
_attempts: dict[str, list[float]] = {}


MAX_BODY_BYTES = 64 * 1024


@app.middleware("http")
async def security_headers(request: Request, call_next: Any) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        response: Response = Response('{"detail": "Body too large."}', status_code=413)
    else:
        response = await call_next(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_user(credentials: Credentials) -> str:
    user = _tokens.get(credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(401, "missing or invalid token", {"WWW-Authenticate": "Bearer"})
    return user


def optional_user(credentials: Credentials) -> str:
    return current_user(credentials) if credentials else "anonymous"


User = Annotated[str, Depends(current_user)]
Unauthorized = {401: _problem("No or bad token.")}


@app.post(
    "/auth/token",
    response_model=Token,
    responses={
        400: _problem("Malformed body."),
        401: _problem("Bad credentials."),
        429: _problem("Too many attempts."),
    },
)
def login(body: Login, request: Request) -> Token:
    client = request.client.host if request.client else "?"
    now = time.monotonic()
    with _lock:
        recent = [t for t in _attempts.get(client, []) if now - t < 60]
        recent.append(now)
        _attempts[client] = recent
    if len(recent) > LOGIN_LIMIT:
        raise HTTPException(429, "too many attempts", {"Retry-After": "60"})
    known = USERS.get(body.username)
    if known is None or not secrets.compare_digest(known[0], body.password):
        raise HTTPException(401, "bad credentials")
    token = secrets.token_urlsafe(24)
    with _lock:
        _tokens[token] = body.username
    return Token(access_token=token)


@app.get("/me", response_model=Me, responses=Unauthorized)
def me(user: User) -> Me:
    return Me(username=user, role=USERS[user][1])


@app.get("/notes", response_model=NotePage)
def list_notes(
    offset: Annotated[int, Query(ge=0)] = 0,
    count: Annotated[int, Query(ge=1, le=100)] = 20,
    order: Literal["id", "-id", "title", "-title"] = "id",
    tag: Literal["work", "home", "misc"] | None = None,
    title: Annotated[str | None, Query(max_length=200)] = None,
) -> NotePage:
    if BROKEN == "crash" and title and "'" in title:
        raise RuntimeError("unbalanced quote in generated SQL")
    with _lock:
        rows = list(_notes.values())
    rows = [
        n for n in rows if (tag is None or n.tag == tag) and (title is None or n.title == title)
    ]
    key = order.lstrip("-")
    rows.sort(key=lambda n: (getattr(n, key), n.id), reverse=order.startswith("-"))
    return NotePage(items=rows[offset : offset + count], total=len(rows))


@app.post(
    "/notes",
    response_model=Note,
    status_code=201,
    responses={
        **Unauthorized,
        400: _problem("Malformed body."),
        403: _problem("Viewers cannot write."),
        409: _problem("Full."),
    },
)
def create_note(
    body: NoteIn, user: Annotated[str, Depends(optional_user if BROKEN == "auth" else current_user)]
) -> Note:
    if user != "anonymous" and USERS[user][1] != "editor":
        raise HTTPException(403, "viewers cannot write")
    with _lock:
        if len(_notes) >= MAX_NOTES:
            raise HTTPException(409, "the sample is full")
        fields = {k: v for k, v in body.model_dump().items() if k not in ("id", "owner")}
        note = Note(id=len(_notes) + 1, owner=user, **fields)
        _notes[note.id] = note
    return note


@app.get("/notes/{note_id}", response_model=Note, responses={404: _problem("No such note.")})
def get_note(note_id: int) -> Note:
    note = _notes.get(note_id)
    if note is None:
        raise HTTPException(404, "no such note")
    return note


@app.delete(
    "/notes/{note_id}",
    status_code=204,
    responses={**Unauthorized, 404: _problem("No such note, or not yours.")},
)
def delete_note(note_id: int, user: User) -> Response:
    with _lock:
        note = _notes.get(note_id)
        # Broken on purpose in 'bola' mode: anyone signed in deletes anyone's note.
        if note is None or (note.owner != user and BROKEN != "bola"):
            raise HTTPException(404, "no such note")
        del _notes[note_id]
    return Response(status_code=204)
