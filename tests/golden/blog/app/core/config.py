"""Settings, read from the environment (and from a local ``.env`` file in development)."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger(__name__)

_RATE = re.compile(r"^\d+/(second|minute|hour|day)$")
_OVERRIDE = re.compile(r"^[a-z][a-z0-9_]*\.(read|write)$")


def _valid_rate(value: str) -> str:
    if not _RATE.match(value):
        raise ValueError("expected a rate such as 5/minute (second, minute, hour or day)")
    return value


class DatabaseSettings(BaseSettings):
    """Where the database is: all that migrations need (no secret key required)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./blog.db"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Hosting platforms hand out postgres:// URLs; the app talks to them through asyncpg.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value.removeprefix(prefix)
        return value

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (no pool settings apply)."""
        return self.database_url.startswith("sqlite")


class Settings(DatabaseSettings):
    """Every knob of the service; each field is an upper-case environment variable."""

    environment: Literal["development", "production", "test"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # PostgreSQL pool, sized for one worker process; multiply by the worker count when
    # checking it against the server's max_connections. No overflow by default: under
    # load, overflow connections are opened and closed per request, which costs more
    # than waiting a moment for a pooled one.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_pool_recycle: int = Field(default=1800, gt=0)
    # A read replica: GET and HEAD requests read from it (with the same pool settings);
    # every other request, and so every write, uses DATABASE_URL. Replicas lag a little.
    database_replica_url: str | None = None
    # On a SQLite file, "normal" makes a commit survive the server being killed, "full"
    # also a power loss (the log is synced to disk on every commit, which costs time).
    sqlite_synchronous: Literal["normal", "full"] = "normal"
    # Development only: apply pending migrations when the app starts.
    auto_migrate: bool | None = None

    secret_key: SecretStr = SecretStr("")
    access_token_ttl: int = Field(default=3600, gt=0)
    refresh_token_ttl: int = Field(default=1209600, gt=0)
    # argon2id cost; the defaults follow the argon2-cffi recommendation. Tests lower them.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    login_lockout_attempts: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    auth_rate_limit: str = "5/minute"
    # Requests per client (the user of a valid token, else the address) and window, for
    # each endpoint class; RATE_LIMIT_OVERRIDES is JSON: {"<entity>.<read|write>": "rate"}.
    rate_limit_read: str = "300/minute"
    rate_limit_write: str = "60/minute"
    rate_limit_overrides: dict[str, str] = {"post.write": "30/minute"}
    # Several workers or instances share their rate-limit counts through Redis; without
    # it each process counts on its own. Keys start with the prefix.
    redis_url: str | None = None
    rate_limit_prefix: str = "blog"
    # Reads of the entities the spec caches are served from the cache (in Redis with
    # REDIS_URL, else in each process, up to CACHE_MAX_ENTRIES) until a write through the
    # service invalidates them or their TTL passes. Keys start with the prefix.
    cache_enabled: bool = True
    cache_max_entries: int = Field(default=10_000, ge=1)
    cache_prefix: str = "blog"

    # Exact origins (scheme://host[:port]) allowed to call the API from a browser.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Addresses (or networks, or *) of proxies whose X-Forwarded-For and -Proto are
    # trusted: behind them, the client's address and scheme come from those headers.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = ["127.0.0.1"]
    # One JSON line per request (method, path, status, duration, request id).
    access_log: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # GET /metrics (Prometheus) asks for this bearer token when it is set.
    metrics_token: SecretStr | None = None
    # Seconds a POST's Idempotency-Key keeps its stored response for replay.
    idempotency_ttl: int = Field(default=86400, ge=1)
    # Background jobs: a worker runs inside the app process when JOBS_IN_PROCESS is true
    # (by default in development only; elsewhere run `python -m app.cli worker`). It
    # looks for due jobs every JOBS_POLL_INTERVAL seconds and holds a running job for
    # JOBS_LEASE_SECONDS, renewing the lease while the job runs.
    # JOBS_ENGINE=pgqueuer (PostgreSQL only) hands each job to pgqueuer as well: workers
    # wake on LISTEN/NOTIFY, and pgqueuer re-runs the job of a worker whose heartbeat
    # stopped for JOBS_LEASE_SECONDS. The jobs table keeps the record in either engine.
    jobs_in_process: bool | None = None
    jobs_engine: Literal["table", "pgqueuer"] = "table"
    jobs_poll_interval: float = Field(default=1.0, gt=0)
    jobs_lease_seconds: float = Field(default=30.0, gt=0)

    @field_validator("cors_origins", "forwarded_allow_ips", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not re.match(r"^https?://[^/\s*]+$", origin):
                raise ValueError(
                    f"{origin!r} is not an origin: list each one as scheme://host[:port];"
                    " a wildcard is refused"
                )
        return value

    @field_validator("auth_rate_limit", "rate_limit_read", "rate_limit_write")
    @classmethod
    def _rate(cls, value: str) -> str:
        return _valid_rate(value)

    @field_validator("rate_limit_overrides")
    @classmethod
    def _overrides(cls, value: dict[str, str]) -> dict[str, str]:
        for key, rate in value.items():
            if not _OVERRIDE.match(key):
                raise ValueError(f"{key!r}: expected <entity>.read or <entity>.write")
            _valid_rate(rate)
        return value

    @field_validator("redis_url")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return value or None  # REDIS_URL= (empty) means no Redis

    @field_validator("database_replica_url")
    @classmethod
    def _replica(cls, value: str | None) -> str | None:
        # Empty means no replica; a postgres:// URL gets the async driver, as DATABASE_URL.
        return cls._async_driver(value) if value else None

    @model_validator(mode="after")
    def _secrets_and_defaults(self) -> Settings:
        key = self.secret_key.get_secret_value()
        if not key:
            if self.environment == "production":
                raise ValueError("SECRET_KEY must be set in production")
            self.secret_key = SecretStr(secrets.token_urlsafe(32))
            logger.warning(
                "SECRET_KEY is not set: using a random key, so tokens stop working on restart"
            )
        elif len(key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters long")
        if self.auto_migrate is None:
            self.auto_migrate = self.environment == "development"
        return self

    @model_validator(mode="after")
    def _jobs_in_process_default(self) -> Settings:
        if self.jobs_in_process is None:
            self.jobs_in_process = self.environment == "development"
        if self.jobs_engine == "pgqueuer" and self.is_sqlite:
            raise ValueError("JOBS_ENGINE=pgqueuer needs PostgreSQL, and DATABASE_URL is SQLite")
        return self
