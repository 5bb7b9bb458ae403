"""Three operations written by hand, as a newcomer's first API: no auth, no envelope.

``NOTES_DEFECTS`` plants defects the audit must find (comma-separated):
``leak`` answers an unknown id with the exception text and a traceback line,
``unbounded`` ignores ``limit`` and returns every row, ``bola`` serves other
owners' notes (only in the owned variant, see ``owned_notes_api.py``).
"""

from __future__ import annotations

import os
import threading
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

DEFECTS = set(filter(None, os.environ.get("NOTES_DEFECTS", "").split(",")))
app = FastAPI(title="notes")
_lock = threading.Lock()
_notes: list[dict[str, object]] = []


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(NoteIn):
    id: int


@app.get("/notes", response_model=list[Note])
def list_notes(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, object]]:
    with _lock:
        return list(_notes) if "unbounded" in DEFECTS else _notes[-limit:]


@app.post("/notes", response_model=Note, status_code=201)
def create_note(note: NoteIn) -> dict[str, object]:
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
