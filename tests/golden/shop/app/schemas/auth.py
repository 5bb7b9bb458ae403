"""Request bodies of the auth endpoints, the password policy, and the authenticated caller."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from zxcvbn import zxcvbn

from app.core.security import secrets_equal
from app.schemas.types import AccountEmail, Storable

PASSWORD_MIN_LENGTH = 8
# Bounds the body and the hashing work a single request can ask for.
PASSWORD_MAX_LENGTH = 128
PASSWORD_REQUIRES: tuple[str, ...] = ()
ROLES: tuple[str, ...] = ("admin", "customer")
DEFAULT_ROLE = "customer"
# zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" (about 10^8
# guesses or more), which leaves out common passwords, keyboard walks, repeats and
# dictionary words with predictable substitutions, however long.
PASSWORD_MIN_SCORE = 3

# Character class -> (how the policy names it, whether a character belongs to it).
CHARACTER_CLASSES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "lowercase": ("a lowercase letter", str.islower),
    "uppercase": ("an uppercase letter", str.isupper),
    "digit": ("a digit", str.isdigit),
    "symbol": ("a symbol", lambda char: not char.isalnum() and not char.isspace()),
}


def password_problem(password: str, *, email: str | None) -> str | None:
    """What the password policy refuses in a new password, or ``None`` when it passes.

    Lengths are checked by the field itself; this adds the required character classes,
    refuses a password that contains the account's email (or is its local part), and
    one that an offline strength estimate finds easy to guess.
    """
    missing = [
        label
        for label, belongs in (CHARACTER_CLASSES[name] for name in PASSWORD_REQUIRES)
        if not any(map(belongs, password))
    ]
    if missing:
        return "The password must contain " + " and ".join(missing) + "."
    if email:
        folded, address = password.casefold(), email.casefold()
        if address in folded or folded == address.partition("@")[0]:
            return "The password may not contain the email address."
    return _guessable(password, email=email)


ESTIMATED_LENGTH = 72  # zxcvbn's own limit


def _guessable(password: str, *, email: str | None) -> str | None:
    """Why an offline estimate finds the password easy to guess, or ``None``.

    The estimate knows common passwords, names, words, dates, keyboard patterns and
    repeats (zxcvbn); the account's email counts as known to an attacker.
    """
    known = [email, email.partition("@")[0]] if email else []
    # zxcvbn refuses (ValueError) more than 72 characters, as its matching grows fast with
    # length: a longer password is judged by its first 72, which must then be strong.
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=known)
    if estimate["score"] >= PASSWORD_MIN_SCORE:
        return None
    feedback = estimate["feedback"]
    hints = [feedback["warning"], *feedback["suggestions"]]
    return " ".join(["The password is too easy to guess.", *(hint for hint in hints if hint)])


# A password as a login presents it: any non-empty text within the upper bound, so
# accounts created under an older policy can still sign in.
PresentedPassword = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH), Storable]
# A password being set: the whole policy applies.
NewPassword = Annotated[
    str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH), Storable
]


class Credentials(BaseModel):
    """An email and a new password, to register (the password policy applies)."""

    model_config = ConfigDict(extra="forbid")

    email: AccountEmail
    password: NewPassword

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str, info: ValidationInfo) -> str:
        problem = password_problem(value, email=info.data.get("email"))
        if problem:
            raise ValueError(problem)
        return value


class LoginRequest(BaseModel):
    """An email and a password, to log in."""

    model_config = ConfigDict(extra="forbid")

    email: AccountEmail
    password: PresentedPassword


class PasswordChange(BaseModel):
    """The current password, and the new one.

    The lengths and the difference are checked here; the service applies the rest of
    the policy, since only it knows the account's email.
    """

    model_config = ConfigDict(extra="forbid")

    current_password: PresentedPassword
    new_password: NewPassword

    @field_validator("new_password")
    @classmethod
    def _differs(cls, value: str, info: ValidationInfo) -> str:
        current = info.data.get("current_password")
        if current is not None and secrets_equal(value, current):
            raise ValueError("The new password must differ from the current one.")
        return value


class RefreshRequest(BaseModel):
    """A refresh token to exchange for a new token pair."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=512), Storable]


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
