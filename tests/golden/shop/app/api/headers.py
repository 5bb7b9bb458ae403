"""Request headers of the write endpoints: Idempotency-Key on POST, If-Match on changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pydantic import Field, TypeAdapter, ValidationError

from app.api.deps import OptionalUser, SettingsDep
from app.core.idempotency import KEY_PATTERN, IdempotentRequest, fingerprint
from app.schemas.auth import AuthUser

# The ETag(s) the client last read, or "*": a write to a row whose ETag is no longer
# one of them is refused with 412. Optional: without it, the last write wins.
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1024,
        description="Optional: the ETag the client last read (or `*`). When it no longer "
        "matches the stored row, nothing is written and the answer is 412 PRECONDITION_FAILED.",
    ),
]
REPLAY_DESCRIPTION = (
    "Optional, signed-in callers only (ignored for anonymous ones): a retry "
    "with the same key and the same request gets the stored response back, marked "
    "`Idempotent-Replayed: true`, without a second write; the same key with another "
    "request is refused (422 IDEMPOTENCY_KEY_REUSED). Keys expire after 24 hours."
)


async def get_idempotent_request(
    request: Request,
    user: OptionalUser,
    settings: SettingsDep,
    key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", pattern=KEY_PATTERN, description=REPLAY_DESCRIPTION),
    ] = None,
) -> IdempotentRequest | None:
    """The request's idempotency key, scoped to the caller; ``None`` without one.

    Anonymous callers' keys are ignored: keys are kept per user, and a key shared by
    every anonymous client would let one of them read another's response.
    """
    if key is None or user is None:
        return None
    return IdempotentRequest(
        user_id=user.id,
        key=key,
        fingerprint=fingerprint(request.method, request.url.path, await request.body()),
        ttl_seconds=settings.idempotency_ttl,
    )


IdempotencyDep = Annotated[IdempotentRequest | None, Depends(get_idempotent_request)]


# The Idempotency-Key header as FastAPI validates it, for the plain endpoints.
_KEY = TypeAdapter(Annotated[str, Field(pattern=KEY_PATTERN)])


async def idempotent_request(
    request: Request, user: AuthUser | None, errors: list[Any]
) -> IdempotentRequest | None:
    """:func:`get_idempotent_request` for a plain endpoint: a malformed key adds
    FastAPI's error to ``errors``."""
    key = request.headers.get("idempotency-key")
    if key is not None:
        try:
            _KEY.validate_python(key)
        except ValidationError as error:
            errors.extend(
                {**detail, "loc": ("header", "Idempotency-Key")} for detail in error.errors()
            )
            return None
    return await get_idempotent_request(request, user, request.app.state.settings, key)
