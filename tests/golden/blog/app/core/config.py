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
    # checking it against the server's max_connections.
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
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

    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=1_048_576, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("auth_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if not _RATE.match(value):
            raise ValueError("expected a rate such as 5/minute (second, minute, hour or day)")
        return value

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
