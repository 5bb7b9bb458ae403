"""The auth part of the generated suite's plan: passwords that pass the policy, and ones
that each break exactly one of its rules.

The policy comes from the spec, not from the generated code, so a generated service
that stops enforcing a rule fails its own tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import AuthDesign

__all__ = ["AuthPlan", "auth_plan"]

EMAIL = "ada@example.com"
# Each holds exactly one uppercase letter (T, N), one digit (0, 3) and one symbol
# (&, !), so one string method removes a whole character class.
_PASSWORD = "T0&r correct horse battery staple"  # noqa: S105 - for generated tests
_NEW_PASSWORD = "N3w! another horse battery staple"  # noqa: S105 - for generated tests
# How a test removes each character class from PASSWORD (an expression).
_WITHOUT = {
    "lowercase": "PASSWORD.upper()",
    "uppercase": "PASSWORD.lower()",
    "digit": 'PASSWORD.replace("0", "o")',
    "symbol": 'PASSWORD.replace("&", "a")',
}


@dataclass(frozen=True)
class AuthPlan:
    """Values of the generated auth tests."""

    email: str
    password: str  # satisfies the policy
    new_password: str  # satisfies it too, and differs
    # (test id, Python expression over PASSWORD and EMAIL) for passwords the policy
    # refuses, each for one reason only.
    weak_passwords: tuple[tuple[str, str], ...]


def auth_plan(auth: AuthDesign) -> AuthPlan:
    """The auth values of the suite generated for ``auth``."""
    shortest = auth.password_min_length
    password = _PASSWORD.ljust(shortest, "x")
    # The email after a prefix that carries every character class, long enough in all.
    prefix = max(4, shortest - len(EMAIL))
    # Long enough and with every character class, yet a leetspeak variant of the most
    # common password, repeated: only the strength estimate refuses it.
    common = f'"P@ssw0rd" * {-(-shortest // 8)}'
    # Without required classes, the classics pass every other rule too.
    classics = (
        ()
        if auth.password_requires
        else (
            ("top_ten", f'"password".ljust({shortest}, "1")'),
            ("digits", f'"12345678" * {-(-shortest // 8)}'),
            ("spaces", f'" " * {shortest}'),
        )
    )
    weak = (
        ("too_short", f"PASSWORD[:{shortest - 1}]"),
        ("too_long", f'PASSWORD.ljust({auth.password_max_length + 1}, "x")'),
        ("contains_the_email", f"PASSWORD[:{prefix}] + EMAIL"),
        *((f"without_{name}", _WITHOUT[name]) for name in auth.password_requires),
        ("easy_to_guess", common),
        *classics,
    )
    return AuthPlan(
        email=EMAIL,
        password=password,
        new_password=_NEW_PASSWORD.ljust(shortest, "x"),
        weak_passwords=weak,
    )
