"""Who may do what: the accounts the live gates act as, and the optional probe plan.

The OpenAPI document says which operations need a token, not which roles may
call them or whether row ownership is checked. A ``ProbePlan`` adds exactly
that, so the wrong-role and non-owner probes know what to expect; without one
those probes are reported as skipped, never guessed.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backend_agent.errors import GateError

__all__ = [
    "CHARACTER_CLASSES",
    "Account",
    "OperationRule",
    "PasswordPolicy",
    "ProbePlan",
    "Reference",
    "Withheld",
]

# The character classes a password policy can require, with the characters we draw from.
CHARACTER_CLASSES = {
    "lowercase": string.ascii_lowercase,
    "uppercase": string.ascii_uppercase,
    "digit": string.digits,
    "symbol": "!#%*+-=?@^_~",
}


@dataclass(frozen=True)
class Account:
    """A signed-in user: a name for the reports, a bearer token, and its role if known."""

    name: str
    token: str = field(repr=False)
    role: str | None = None


@dataclass(frozen=True)
class Withheld:
    """A field the bodies the gates send leave out: only some roles may set it, and an
    account of another role sending it is refused (403)."""

    collection: str  # the collection path whose bodies have the field
    field: str


@dataclass(frozen=True)
class Reference:
    """A create body's field that holds the id of a row of another collection: what the
    field's name alone may not say (``request_id`` of a relation named ``request`` to
    projects, beside a collection of requests)."""

    collection: str  # the collection path whose create body has the field
    field: str  # e.g. request_id
    target: str  # the collection path of the rows it refers to


@dataclass(frozen=True)
class OperationRule:
    """The access rule of one operation.

    With ``owner`` false, ``roles`` are the roles that may call it (empty: any
    signed-in user). With ``owner`` true, the row's owner may call it and
    ``roles`` are the roles that may without owning the row; anyone else must
    get 404 (or 403) and never see the row.
    """

    operation_id: str
    roles: tuple[str, ...] = ()
    owner: bool = False


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new account's password must be; the accounts the live gates make follow it.

    Without a design to read it from, every character class is required: a password
    with all of them passes any policy that asks for some.
    """

    min_length: int = 8
    max_length: int = 128
    requires: tuple[str, ...] = tuple(CHARACTER_CLASSES)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.requires) - set(CHARACTER_CLASSES))
        if unknown or not 1 <= self.min_length <= self.max_length:
            raise GateError(
                f"a password policy needs 1 <= min_length <= max_length and character classes "
                f"from {sorted(CHARACTER_CLASSES)}; got {self}"
            )

    def new_password(self) -> str:
        """A random password that satisfies this policy (one of each required class)."""
        length = min(max(self.min_length, 32), self.max_length)
        required = [secrets.choice(CHARACTER_CLASSES[name]) for name in self.requires]
        if len(required) > length:
            raise GateError(f"no password of at most {length} characters can satisfy {self}")
        pool = string.ascii_letters + string.digits
        chars = required + [secrets.choice(pool) for _ in range(length - len(required))]
        secrets.SystemRandom().shuffle(chars)
        return "".join(chars)


@dataclass(frozen=True)
class ProbePlan:
    """What the OpenAPI document cannot say; every field is optional."""

    roles: tuple[str, ...] = ()
    rules: tuple[OperationRule, ...] = ()
    main_collection: str | None = None  # a collection path, e.g. /api/v1/posts
    login_operation: str | None = None  # operationId of the login, if not /login-like
    session_end_operations: tuple[str, ...] = ()  # operationIds that revoke the token (logout)
    er_diagram: str | None = None  # Mermaid erDiagram text for the HTML report
    password: PasswordPolicy = field(default_factory=PasswordPolicy)  # for accounts we make
    references: tuple[Reference, ...] = ()  # where a field's name does not say its target
    withheld: tuple[Withheld, ...] = ()  # fields only some roles may set

    def withholds(self, collection: str, name: str) -> bool:
        """Whether bodies sent to ``collection`` leave the field ``name`` out."""
        return Withheld(collection, name) in self.withheld

    def reference(self, collection: str, name: str) -> str | None:
        """The collection path the ``name`` field of ``collection``'s rows refers to."""
        return next(
            (r.target for r in self.references if (r.collection, r.field) == (collection, name)),
            None,
        )

    def rule(self, operation_id: str) -> OperationRule | None:
        """The rule of an operation, if the plan has one."""
        return next((r for r in self.rules if r.operation_id == operation_id), None)

    def may_call(self, operation_id: str, account: Account) -> bool:
        """Whether ``account`` may call the operation on rows it does not own."""
        rule = self.rule(operation_id)
        if rule is None or not rule.roles:
            return rule is None or not rule.owner
        return account.role in rule.roles

    def to_json(self) -> str:
        """The plan as JSON (the ``audit --plan`` file format)."""
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "the plan") -> ProbePlan:
        """Read a plan written by ``to_json`` (or by hand)."""
        try:
            data: dict[str, Any] = json.loads(text)
            rules = tuple(
                OperationRule(
                    operation_id=str(r["operation_id"]),
                    roles=tuple(str(x) for x in r.get("roles", ())),
                    owner=bool(r.get("owner", False)),
                )
                for r in data.get("rules", ())
            )
            return cls(
                roles=tuple(str(x) for x in data.get("roles", ())),
                rules=rules,
                main_collection=data.get("main_collection"),
                login_operation=data.get("login_operation"),
                session_end_operations=tuple(data.get("session_end_operations", ())),
                er_diagram=data.get("er_diagram"),
                references=tuple(
                    Reference(str(r["collection"]), str(r["field"]), str(r["target"]))
                    for r in data.get("references", ())
                ),
                withheld=tuple(
                    Withheld(str(w["collection"]), str(w["field"]))
                    for w in data.get("withheld", ())
                ),
                password=PasswordPolicy(
                    **{
                        **data.get("password", {}),
                        "requires": tuple(
                            data.get("password", {}).get("requires", tuple(CHARACTER_CLASSES))
                        ),
                    }
                ),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise GateError(f"{source} is not a valid probe plan: {exc}") from None

    @classmethod
    def load(cls, path: Path) -> ProbePlan:
        """Read a plan file."""
        try:
            return cls.from_json(path.read_text(encoding="utf-8"), source=str(path))
        except OSError as exc:
            raise GateError(f"cannot read the probe plan {path}: {exc}") from None
