"""Settings, read from the environment (and from a local ``.env`` file in development)."""

from __future__ import annotations

import logging
import re
import secrets
from ipaddress import ip_network
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
    # PostgreSQL: seconds to open a connection, and the longest a statement may run (the
    # driver gives up then, and the server cancels it: a frozen or overloaded database
    # answers 503 instead of holding requests). 0 turns the statement limit off, e.g.
    # behind a PgBouncer that refuses the statement_timeout start-up parameter.
    db_connect_timeout: float = Field(default=2.0, gt=0)
    db_statement_timeout: float = Field(default=3.0, ge=0)
    # Seconds a request may take in all: past it, the request is abandoned and answered
    # 504 TIMEOUT, whatever it waits for. 0 turns the deadline off.
    request_timeout: float = Field(default=5.0, ge=0)
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
    # Password hashes computed at once per process; more logins wait for a turn, holding
    # no database connection meanwhile. One hash already spreads over ARGON2_PARALLELISM
    # threads and takes ARGON2_MEMORY_COST KiB: more at once buys no throughput on a busy
    # machine, only slower answers for every other request.
    password_hash_concurrency: int = Field(default=1, ge=1)
    login_lockout_attempts: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    auth_rate_limit: str = "5/minute"
    # Seconds within which a refresh token presented again gets the same new refresh
    # token its first use got (a client retrying a refresh whose answer it lost), instead
    # of counting as reuse and revoking the session. 0 turns the grace off.
    refresh_reuse_seconds: int = Field(default=10, ge=0, le=300)
    # Requests per client (the user of a valid token, else the address) and window, for
    # each endpoint class; RATE_LIMIT_OVERRIDES is JSON: {"<entity>.<read|write>": "rate"}.
    rate_limit_read: str = "300/minute"
    rate_limit_write: str = "60/minute"
    rate_limit_overrides: dict[str, str] = {"post.write": "30/minute"}
    # Several workers or instances share their rate-limit counts through Redis; without
    # it each process counts on its own. Keys start with the prefix.
    redis_url: str | None = None
    rate_limit_prefix: str = "blog"
    # In process, each rate keeps at most this many clients' windows; past it, the window
    # nearest its end is dropped first (see app.core.ratelimit).
    rate_limit_max_keys: int = Field(default=100_000, ge=100)
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
    # GET by id, the list and POST create of each entity served by the fast path
    # (app.fastpath): the same answers, without FastAPI's dependency solving. false
    # leaves them to FastAPI like every other route.
    fast_path: bool = True
    # FastAPI's native OpenTelemetry traces, metrics and logs, for a service whose
    # OpenTelemetry providers are configured; off, FastAPI skips looking for them on
    # every request.
    opentelemetry: bool = False
    # GraphQL (app/api/graphql.py): whether clients may ask for the schema itself
    # (introspection; unset: everywhere but in production), how deep an operation may
    # go, how many fields it may select once its fragments are spread, and how many
    # rows its lists may hold (lists in lists multiplied).
    graphql_introspection: bool | None = None
    graphql_max_depth: int = Field(default=8, ge=2)
    graphql_max_fields: int = Field(default=500, ge=10)
    graphql_max_rows: int = Field(default=10_000, ge=100)
    # Change feeds (app/api/realtime.py): how long a client has to start, how often an
    # idle feed sends a heartbeat (and checks the session), how many changes a client
    # may fall behind before it is closed, and the Redis channel replicas share.
    realtime_start_seconds: float = Field(default=5.0, gt=0)
    realtime_heartbeat_seconds: float = Field(default=20.0, gt=0)
    realtime_queue_limit: int = Field(default=100, ge=1)
    realtime_channel: str = "blog:events"
    # One JSON line per request (method, path, status, duration, request id).
    access_log: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # Operations endpoints: GET /metrics (Prometheus) asks for METRICS_TOKEN as a bearer
    # token when it is set; /docs and /openapi.json ask for DOCS_TOKEN likewise. Clients
    # from OPS_ALLOW_IPS (addresses or networks) need no token. In production, an
    # endpoint without a token is closed (404) to everyone outside OPS_ALLOW_IPS; in
    # development and test it is open.
    metrics_token: SecretStr | None = None
    docs_token: SecretStr | None = None
    ops_allow_ips: Annotated[list[str], NoDecode] = []
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

    @field_validator("cors_origins", "forwarded_allow_ips", "ops_allow_ips", mode="before")
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

    @field_validator("ops_allow_ips")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not an IP address or network") from None
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
