"""The typed spec: what a user declares about the service they want.

The models are strict (unknown keys are errors) and frozen. Cross-references
(relation targets, filter names, roles in permissions) are checked by
``backend_agent.spec.checks`` so that every problem is reported at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ACTIONS",
    "FIELD_TYPES",
    "AuthSpec",
    "EntitySpec",
    "FieldSpec",
    "FieldType",
    "LockoutSpec",
    "OnDelete",
    "PermissionsSpec",
    "RelationSpec",
    "ServiceSpec",
    "parse_duration",
]

FieldType = Literal[
    "string",
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "enum",
    "uuid",
    "email",
    "url",
    "json",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]
OnDelete = Literal["cascade", "set_null", "restrict"]
ACTIONS: tuple[str, ...] = ("list", "read", "create", "update", "delete")

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
_ENTITY_NAME = r"^[A-Z][A-Za-z0-9]*$"
_FIELD_NAME = r"^[a-z][a-z0-9_]*$"


def parse_duration(text: str | int) -> int:
    """Seconds in a duration such as ``30s``, ``15m``, ``24h`` or ``7d``."""
    if isinstance(text, int):
        return text
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a duration such as 30s, 15m, 24h or 7d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


Duration = Annotated[int, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Strict):
    """One column the user declares; ``body: text`` is shorthand for ``{type: text}``."""

    type: FieldType
    required: bool = False
    nullable: bool = False
    default: Any = None
    unique: bool = False
    index: bool = False
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(gt=0)] | None = None
    pattern: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    precision: Annotated[int, Field(gt=0, le=38)] | None = None
    scale: Annotated[int, Field(ge=0, le=38)] | None = None
    values: tuple[str, ...] | None = None
    description: str | None = None
    example: Any = None
    renamed_from: Annotated[str, Field(pattern=_FIELD_NAME)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from exc
        return value


class RelationSpec(_Strict):
    """A link to another entity: exactly one of belongs_to, has_many, many_to_many."""

    belongs_to: str | None = None
    has_many: str | None = None
    many_to_many: str | None = None
    on_delete: OnDelete | None = None
    required: bool = True

    @model_validator(mode="after")
    def _exactly_one(self) -> RelationSpec:
        kinds = [k for k in ("belongs_to", "has_many", "many_to_many") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a relation needs exactly one of belongs_to, has_many, many_to_many")
        if self.on_delete is not None and self.belongs_to is None:
            raise ValueError("on_delete applies to belongs_to relations only")
        return self

    @property
    def kind(self) -> str:
        """The relation kind: belongs_to, has_many or many_to_many."""
        if self.belongs_to:
            return "belongs_to"
        return "has_many" if self.has_many else "many_to_many"

    @property
    def target(self) -> str:
        """The entity this relation points at."""
        return self.belongs_to or self.has_many or self.many_to_many or ""


Permission = str | list[str]


class PermissionsSpec(_Strict):
    """Who may do what: anyone, authenticated, owner, owner_or_<role>, or a list of roles."""

    list: Permission | None = None
    read: Permission | None = None
    create: Permission | None = None
    update: Permission | None = None
    delete: Permission | None = None


class EntitySpec(_Strict):
    """A resource of the service: a table and its REST endpoints."""

    fields: dict[Annotated[str, Field(pattern=_FIELD_NAME)], FieldSpec] = Field(min_length=1)
    relations: dict[Annotated[str, Field(pattern=_FIELD_NAME)], RelationSpec] = Field(
        default_factory=dict
    )
    owner: bool = False
    permissions: PermissionsSpec = Field(default_factory=PermissionsSpec)
    filters: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    soft_delete: bool = False
    nested_under: str | None = None
    plural: Annotated[str, Field(pattern=_FIELD_NAME)] | None = None
    description: str | None = None
    renamed_from: Annotated[str, Field(pattern=_ENTITY_NAME)] | None = None


class LockoutSpec(_Strict):
    """Lock an account after this many failed logins within the window."""

    attempts: Annotated[int, Field(gt=0)] = 5
    window: Duration = 900

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value


class AuthSpec(_Strict):
    """Users, roles and tokens."""

    roles: tuple[Annotated[str, Field(pattern=_FIELD_NAME)], ...] = ("admin", "user")
    default_role: str | None = None
    token_ttl: Duration = 3600
    refresh_ttl: Duration = 14 * 86400
    password_min_length: Annotated[int, Field(ge=8, le=128)] = 8
    lockout: LockoutSpec = Field(default_factory=LockoutSpec)
    rate_limit: str = "5/minute"

    @field_validator("token_ttl", "refresh_ttl", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if not re.match(r"^\d+/(second|minute|hour|day)$", value):
            raise ValueError("a rate limit looks like 5/minute (second, minute, hour or day)")
        return value


class ServiceSpec(_Strict):
    """The whole service."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
    title: str | None = None
    description: str | None = None
    version: str = "0.1.0"
    auth: AuthSpec = Field(default_factory=AuthSpec)
    entities: dict[Annotated[str, Field(pattern=_ENTITY_NAME)], EntitySpec] = Field(min_length=1)
    page_size: Annotated[int, Field(gt=0, le=1000)] = 20
    max_page_size: Annotated[int, Field(gt=0, le=1000)] = 100
