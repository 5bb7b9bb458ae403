"""Request bodies of the auth endpoints, and the authenticated caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schemas.types import Email

PASSWORD_MIN_LENGTH = 8
ROLES: tuple[str, ...] = ("librarian", "member")
DEFAULT_ROLE = "member"


class Credentials(BaseModel):
    """An email and a password, to register or to log in."""

    model_config = ConfigDict(extra="forbid")

    # Emails are compared case-insensitively: stored and looked up in lower case.
    email: Annotated[Email, AfterValidator(str.lower)]
    password: Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=128)]


class RefreshRequest(BaseModel):
    """A refresh token to exchange for a new token pair."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class AuthUser:
    """The signed-in caller of a request, as loaded with its session."""

    id: uuid.UUID
    email: str
    role: str
    created_at: datetime
    session_id: uuid.UUID

    def public(self) -> dict[str, object]:
        """The user as the API shows it."""
        return {
            "id": self.id,
            "email": self.email,
            "role": self.role,
            "created_at": self.created_at,
        }
