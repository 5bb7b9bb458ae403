"""Passwords (argon2id), access tokens (JWT, HS256), refresh-token digests, and who may
read the operations endpoints."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, partial
from ipaddress import ip_address, ip_network
from typing import TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import SecretStr

from app.core.config import Settings
from app.core.errors import AuthenticationRequired, InvalidToken, NotFoundError

ALGORITHM = "HS256"
_T = TypeVar("_T")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def password_hasher(settings: Settings) -> PasswordHasher:
    """The argon2id hasher configured by the settings."""
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )


@lru_cache(maxsize=4)
def _hashing_threads(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="password-hash")


async def _off_the_loop(settings: Settings, work: Callable[[], _T]) -> _T:
    """Run ``work`` in the password-hashing threads, at most PASSWORD_HASH_CONCURRENCY at once.

    Each argon2id hash takes a core and ``argon2_memory_cost`` KiB for a while: a flood
    of logins queues here, bounded, instead of taking every core, the memory and the
    threads the rest of the app shares (anyio's default thread pool).
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing_threads(settings.password_hash_concurrency), work)


async def hash_password(password: str, settings: Settings) -> str:
    """The argon2id hash of ``password``; the work runs off the event loop."""
    return await _off_the_loop(settings, partial(password_hasher(settings).hash, password))


async def verify_password(password_hash: str, password: str, settings: Settings) -> bool:
    """Whether ``password`` matches ``password_hash`` (argon2 compares in constant time)."""

    def check() -> bool:
        try:
            return password_hasher(settings).verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await _off_the_loop(settings, check)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(secrets.token_urlsafe(16))


def dummy_password_hash(settings: Settings) -> str:
    """A hash to verify against for unknown emails, so they cost as much as known ones."""
    return _dummy_hash(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )


def new_refresh_token() -> str:
    """A fresh opaque refresh token (256 bits of randomness)."""
    return secrets.token_urlsafe(32)


def successor_refresh_token(token: str, settings: Settings) -> str:
    """The refresh token that rotating ``token`` issues.

    Derived from the token with the secret key (HMAC-SHA256), so it is as unguessable
    as a random one, yet a retried refresh can be answered with the same successor
    without the service storing any token in the clear.
    """
    key = settings.secret_key.get_secret_value().encode()
    mac = hmac.new(key, b"refresh-successor:" + token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored instead of the refresh token itself.

    Tokens are looked up by digest in SQL: an index lookup's timing could at most
    reveal a prefix of a digest, and a digest of 256 random bits cannot be steered,
    so no constant-time comparison is needed there.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def secrets_equal(left: str, right: str) -> bool:
    """Whether two secrets are equal, in time that does not depend on where they differ."""
    return hmac.compare_digest(left.encode(), right.encode())


@dataclass(frozen=True)
class AccessClaims:
    """What an access token says about its bearer."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    role: str


def create_access_token(
    *, user_id: uuid.UUID, session_id: uuid.UUID, role: str, now: datetime, settings: Settings
) -> str:
    """A signed JWT carrying the user (``sub``), the session (``sid``) and the role."""
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "role": role,
        "iat": now,
        "exp": now + timedelta(seconds=settings.access_token_ttl),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


# Tokens verified recently, by (secret, token): their claims and expiry. A client sends
# the same token on every request until it expires; checking its HMAC signature once,
# not per request, saves the biggest share of an authenticated request's CPU. The expiry
# is checked on every use, and only valid tokens are kept.
VERIFIED_TOKENS_MAX = 4096
_verified: dict[tuple[str, str], tuple[AccessClaims, float]] = {}


def decode_access_token(token: str, settings: Settings) -> AccessClaims | None:
    """The claims of a valid, unexpired token; ``None`` for anything else."""
    secret = settings.secret_key.get_secret_value()
    key = (secret, token)
    seen = _verified.get(key)
    if seen is not None:
        if time.time() < seen[1]:
            return seen[0]
        del _verified[key]
        return None
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]}
        )
        verified = AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            role=str(claims.get("role", "")),
        )
        expires = float(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    if len(_verified) >= VERIFIED_TOKENS_MAX:
        del _verified[next(iter(_verified))]  # the oldest entry
    _verified[key] = (verified, expires)
    return verified


def ops_access(
    *, client: str | None, authorization: str, token: SecretStr | None, settings: Settings
) -> None:
    """Let a request to an operations endpoint (metrics, docs) through, or raise.

    A client from ``OPS_ALLOW_IPS`` needs nothing more. Otherwise, with a token set, the
    request must carry it as a bearer token (401 without it or with another one); with
    none set, the endpoint is open outside production and hidden in production (404),
    so a production deployment publishes nothing by forgetting a setting.
    """
    if client is not None and _allowed_address(client, tuple(settings.ops_allow_ips)):
        return
    expected = token.get_secret_value() if token else ""
    if not expected:
        if settings.environment == "production":
            raise NotFoundError
        return
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise AuthenticationRequired
    if not secrets_equal(presented.strip(), expected):
        raise InvalidToken


@lru_cache(maxsize=1024)
def _allowed_address(client: str, allowed: tuple[str, ...]) -> bool:
    try:
        address = ip_address(client)
    except ValueError:  # a test client's or a socket's non-IP name
        return False
    return any(address in ip_network(network, strict=False) for network in allowed)
