"""Three operations written by hand, as a newcomer's first API: no auth, no envelope.

``NOTES_DEFECTS`` plants defects the audit must find (comma-separated):
``leak`` answers an unknown id with the exception text and a traceback line,
``unbounded`` ignores ``limit`` and returns every row.

``NOTES_AUTH`` protects ``POST /notes`` the way many APIs do: ``apikey`` (an
``X-API-Key`` header) or ``oauth2`` (a bearer token from the OAuth2 password
flow at ``/token``, a form post). Reads stay public.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

DEFECTS = set(filter(None, os.environ.get("NOTES_DEFECTS", "").split(",")))
AUTH = os.environ.get("NOTES_AUTH", "")
app = FastAPI(title="notes")
_lock = threading.Lock()
_notes: list[dict[str, object]] = []
_KEYS = {"key-alice": "alice", "key-bob": "bob"}
_PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw"}
_tokens: dict[str, str] = {}
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)
_oauth2 = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)


def _by_key(key: Annotated[str | None, Depends(_api_key)]) -> str:
    if key not in _KEYS:
        raise HTTPException(401, "a valid X-API-Key is required")
    return _KEYS[key]


def _by_token(token: Annotated[str | None, Depends(_oauth2)]) -> str:
    if token not in _tokens:
        raise HTTPException(401, "a valid bearer token is required")
    return _tokens[token]


def _anyone() -> str:
    return "anyone"


_writer = {"apikey": _by_key, "oauth2": _by_token}.get(AUTH, _anyone)


def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    if _PASSWORDS.get(form.username) != form.password:
        raise HTTPException(401, "bad credentials")
    issued = f"t-{form.username}-{len(_tokens)}"
    _tokens[issued] = form.username
    return {"access_token": issued, "token_type": "bearer"}


if AUTH == "oauth2":  # the login exists only where the API uses it
    app.post("/token")(token)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(NoteIn):
    id: int


@app.get("/notes", response_model=list[Note])
def list_notes(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, object]]:
    with _lock:
        return list(_notes) if "unbounded" in DEFECTS else _notes[-limit:]


@app.post("/notes", response_model=Note, status_code=201)
def create_note(note: NoteIn, _user: Annotated[str, Depends(_writer)]) -> dict[str, object]:
    with _lock:
        row: dict[str, object] = {"id": len(_notes) + 1, "text": note.text}
        _notes.append(row)
        return row


@app.get("/notes/{i}", response_model=Note)
def get_note(i: int) -> object:
    with _lock:
        if 1 <= i <= len(_notes):
            return _notes[i - 1]
    if "leak" in DEFECTS:
        return JSONResponse(
            {
                "detail": f'Traceback (most recent call last):\n  File "/srv/notes.py", line 48\n'
                f"IndexError: list index out of range (i={i})"
            },
            status_code=404,
        )
    raise HTTPException(404, "no such note")
