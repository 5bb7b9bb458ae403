"""An API with the habits of real frameworks the audit first misread.

Django-style paths ending in "/", a relative OAuth2 tokenUrl, a logout whose path
ends in "/", a sign-up collection whose rows are the new users (hidden from the
caller who made them), a documented enum the API ignores rather than rejects,
an OpenAPI document only signed-in users may read, 422 for an undecodable token,
and a filter in its own syntax that refuses plain words.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Response
from fastapi.openapi.utils import get_openapi
from fastapi.security import OAuth2PasswordBearer

app = FastAPI(openapi_url=None)
scheme = OAuth2PasswordBearer(tokenUrl="auth/token/")  # relative, as fastapi-users writes it
users: dict[int, dict[str, Any]] = {1: {"id": 1, "username": "alice"}}
tokens: dict[str, int] = {}


def caller(token: Annotated[str, Depends(scheme)]) -> int:
    if not token.startswith("token-"):
        raise HTTPException(422, "Not enough segments")  # a JWT library's answer to garbage
    if token not in tokens:
        raise HTTPException(401, "not signed in")
    return tokens[token]


@app.middleware("http")
async def headers(request: Any, call_next: Any) -> Any:
    reply = await call_next(request)
    reply.headers.update(
        {
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "no-referrer",
        }
    )
    return reply


@app.post("/auth/token/")
def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict[str, str]:
    found = next((u for u in users.values() if u["username"] == username), None)
    if found is None or password != f"{username}-pw":
        raise HTTPException(400, "bad credentials")
    token = f"token-{username}-{len(tokens)}"
    tokens[token] = found["id"]
    return {"access_token": token, "token_type": "bearer"}


@app.post("/auth/logout/", status_code=204)
def logout(token: Annotated[str, Depends(scheme)], me: Annotated[int, Depends(caller)]) -> Response:
    tokens.pop(token, None)
    return Response(status_code=204)


@app.get("/users/")
def list_users(me: Annotated[int, Depends(caller)]) -> list[dict[str, Any]]:
    return [users[me]]  # each user sees only themself


@app.post("/users/", status_code=201)
def sign_up(body: dict[str, str], me: Annotated[int, Depends(caller)]) -> dict[str, Any]:
    new = {"id": max(users) + 1, "username": str(body.get("username", "someone"))}
    users[new["id"]] = new
    return new


@app.get("/users/{user_id}/")
def read_user(user_id: int, me: Annotated[int, Depends(caller)]) -> dict[str, Any]:
    if user_id != me or user_id not in users:
        raise HTTPException(404, "no such user")
    return users[user_id]


@app.get("/schema/")
def schema(
    me: Annotated[int, Depends(caller)],
    lang: Annotated[str, Query(json_schema_extra={"enum": ["en", "de", "fr"]})] = "en",
) -> dict[str, str]:
    return {"lang": "en"}  # the documented choice is never enforced: any value reads as "en"


@app.get("/tags")
def list_tags(me: Annotated[int, Depends(caller)], q: str | None = None) -> list[dict[str, int]]:
    if q is not None:
        try:
            json.loads(q)  # a filter in its own syntax: anything else is refused
        except ValueError:
            raise HTTPException(400, "q is not JSON") from None
    return [{"id": 1}, {"id": 2}]  # a well-formed filter the API does not support is ignored


@app.get("/openapi.json", include_in_schema=False)
def document(me: Annotated[int, Depends(caller)]) -> dict[str, Any]:
    return get_openapi(title="quirks", version="1", routes=app.routes)
