"""Dependencies of the routes: the database connection, settings, the caller, rate limits.

Every route that acts for a caller finds them through :func:`get_optional_user` (and
:func:`get_current_user`, which requires one): ``app.dependency_overrides`` of it stands
in for the caller on every such route, the fast path's included (app.fastpath).
Changing a password looks the caller up through :func:`get_current_user_briefly`
instead, on a connection given back before the password is hashed: override that too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, cast

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.db import InlineConnection
from app.core.errors import AuthenticationRequired, InvalidToken, RateLimited
from app.core.permissions import Rule, authorize
from app.core.ratelimit import Kind, Rate, RateLimitStore, RatePolicy, address_key
from app.core.security import AccessClaims, decode_access_token
from app.repositories import user as user_repo
from app.repositories.base import utcnow
from app.schemas.auth import AuthUser
from app.services.auth import Connect

# Methods that never write: with a replica configured, they read from it.
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


@asynccontextmanager
async def connect(request: Request) -> AsyncIterator[AsyncConnection]:
    """A pooled connection for one request: the replica's for GET and HEAD, else the primary's.

    The whole request uses one connection, so a write and the reads around it always
    see the primary; reads run in autocommit on PostgreSQL (``reads_in_autocommit``)
    and inline on a SQLite file (``create_inline_read_engine``). Services commit
    explicitly when they write; anything left uncommitted (a failed request) is rolled
    back when the connection returns to the pool.
    """
    state = request.app.state
    if request.method not in READ_ONLY_METHODS:
        # The whole body first: a slow client then holds no pooled connection while it
        # sends, whichever check (the caller, the body's type) refuses the request.
        await request.body()
        if state.sqlite_writer is not None:
            # One writer at a time per process, in the order the requests asked
            # (app.core.sqlite_writer); WriteConnection has the methods the code calls.
            async with state.sqlite_writer.connect() as writes:
                yield cast(AsyncConnection, writes)
            return
        engine, checkout = state.engine, state.checkout
    elif state.inline_reads is not None:
        with state.inline_reads.connect() as inline:
            # InlineConnection has the methods of AsyncConnection the repositories call.
            yield cast(AsyncConnection, InlineConnection(inline))
        return
    else:
        engine, checkout = state.read_requests_engine, state.read_checkout
    # In the order the requests asked; a connection may go straight on to the next
    # request waiting for one of the same engine (app.core.db.FairCheckout).
    async with checkout.connect(engine) as connection:
        yield connection


async def get_db(request: Request) -> AsyncIterator[AsyncConnection]:
    """The connection of :func:`connect`, as a dependency; it goes back to the pool as
    soon as the route returns, before the response is sent."""
    async with connect(request) as connection:
        yield connection


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with (``async``: a plain function would run in a
    worker thread on every request)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_connect(request: Request) -> Connect:
    """Opens connections of :func:`connect` on demand, for routes that must not hold
    one throughout (password hashing runs between their queries)."""
    return partial(connect, request)


SessionDep = Annotated[AsyncConnection, Depends(get_db, scope="function")]
ConnectDep = Annotated[Connect, Depends(get_connect)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def access_claims(request: Request, token: str, settings: Settings) -> AccessClaims | None:
    """The claims of a bearer token, verified once per request.

    The rate limit (which keys on the user) and the caller's dependency both need them:
    the second asks the request's state instead of checking the signature again.
    """
    seen: tuple[str, AccessClaims | None] | None = getattr(request.state, "access_claims", None)
    if seen is not None and seen[0] == token:
        return seen[1]
    claims = decode_access_token(token, settings)
    request.state.access_claims = (token, claims)
    return claims


async def get_optional_user(request: Request, db: SessionDep) -> AuthUser | None:
    """The caller, or ``None`` without a token; a bad token is a 401, never anonymous."""
    token = bearer_token(request)
    if token is None:
        return None
    claims = access_claims(request, token, request.app.state.settings)
    if claims is None:
        raise InvalidToken()
    # The session row decides, so logout and revocation take effect immediately; the
    # role comes from the account, not from the token, for the same reason.
    row = await user_repo.get_session_user(
        db, session_id=claims.session_id, user_id=claims.user_id, now=utcnow()
    )
    if row is None:
        raise InvalidToken()
    return AuthUser(session_id=claims.session_id, **row)


OptionalUser = Annotated[AuthUser | None, Depends(get_optional_user)]

# The bearer token as the OpenAPI document names it (securitySchemes.bearerAuth). A
# dependency that needs a caller declares it, so its operations show the requirement;
# it refuses nothing itself (auto_error=False): the caller's dependencies decide.
bearer_auth = HTTPBearer(scheme_name="bearerAuth", bearerFormat="JWT", auto_error=False)
BearerAuth = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_auth)]


async def get_current_user(user: OptionalUser, _bearer: BearerAuth = None) -> AuthUser:
    """The caller; 401 AUTHENTICATION_REQUIRED without a token."""
    if user is None:
        raise AuthenticationRequired
    return user


CurrentUser = Annotated[AuthUser, Depends(get_current_user)]


def allowed(rule: Rule) -> Callable[..., Awaitable[AuthUser | None]]:
    """A dependency: the caller, once ``rule`` lets them act at all (401 AUTHENTICATION_REQUIRED
    or 403 FORBIDDEN otherwise).

    Routes declare it before their other parameters, so a caller who may not act learns
    nothing of what a valid request looks like: the body, query and path are validated
    after it. Ownership is still decided inside the service's query. A rule that needs
    a caller declares the bearer scheme, so the OpenAPI document shows the requirement.
    """

    async def caller(user: OptionalUser) -> AuthUser | None:
        authorize(rule, user)
        return user

    async def signed_in_caller(user: OptionalUser, _bearer: BearerAuth) -> AuthUser | None:
        authorize(rule, user)
        return user

    return caller if rule.kind == "anyone" else signed_in_caller


async def get_current_user_briefly(request: Request, _bearer: BearerAuth = None) -> AuthUser:
    """The caller, like :func:`get_current_user`, on a connection given back at once."""
    async with connect(request) as db:
        user = await get_optional_user(request, db)
    return await get_current_user(user)


# For routes that hash a password: the caller's lookup holds no connection meanwhile.
CurrentUserBriefly = Annotated[AuthUser, Depends(get_current_user_briefly)]


def client_key(request: Request, settings: Settings) -> str:
    """Whom a rate limit counts: the user of a valid access token, else the client address
    (an IPv6 client's /64 network).

    Only the token's signature and expiry are checked here (no database): a forged or
    expired token counts against the address, so new tokens do not buy new budgets.
    """
    token = bearer_token(request)
    if token is not None:
        claims = access_claims(request, token, settings)
        if claims is not None:
            return f"user:{claims.user_id}"
    return f"ip:{address_key(request.client.host) if request.client else 'unknown'}"


async def _count(request: Request, key: str, rate: Rate) -> None:
    store: RateLimitStore = request.app.state.rate_limit_store
    usage = await store.take(key, rate)
    # The RateLimit-* headers are added from here by RequestContextMiddleware.
    request.state.rate_limit = usage
    if not usage.allowed:
        raise RateLimited(usage.reset)


async def count_request(request: Request, scope: str, kind: Kind) -> None:
    """Count ``request`` against the ``kind`` rate of ``scope`` for its client (429
    RATE_LIMITED past it)."""
    state = request.app.state
    policy: RatePolicy = state.rate_policy
    key = f"{scope}:{kind}:{client_key(request, state.settings)}"
    await _count(request, key, policy.rate(scope, kind))


def rate_limit(scope: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency limiting the routes of ``scope`` per client: GET reads, others writes."""

    async def limit(request: Request) -> None:
        kind: Kind = "read" if request.method in READ_ONLY_METHODS else "write"
        await count_request(request, scope, kind)

    return limit


async def limit_auth_attempts(request: Request) -> None:
    """Per-client-address limit of login, register and password change (429 RATE_LIMITED)."""
    policy: RatePolicy = request.app.state.rate_policy
    client = address_key(request.client.host) if request.client else "unknown"
    await _count(request, f"auth:{request.url.path}:ip:{client}", policy.auth)
