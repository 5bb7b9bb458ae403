"""The auth section of a spec: the password policy and its mistakes."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.model import AuthSpec


def spec_with(auth: str) -> str:
    return f"name: a\nauth: {{{auth}}}\nentities:\n  A:\n    fields: {{x: string}}\n"


def test_the_password_policy_defaults_to_lengths_only() -> None:
    auth = AuthSpec()
    assert (auth.password_min_length, auth.password_max_length) == (8, 128)
    assert auth.password_requires == ()


def test_the_password_policy_is_read_from_the_spec() -> None:
    auth = load_spec_text(
        spec_with(
            "password_min_length: 12, password_max_length: 200, "
            "password_requires: [uppercase, digit, symbol]"
        )
    ).auth
    assert (auth.password_min_length, auth.password_max_length) == (12, 200)
    assert auth.password_requires == ("uppercase", "digit", "symbol")


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (
            "password_max_length: 32",
            "spec.yaml:2:29: 'password_max_length': input should be greater than or equal to 64",
        ),
        (
            "password_min_length: 100, password_max_length: 80",
            "spec.yaml:2:7: 'auth': password_max_length must be at least password_min_length",
        ),
        (
            "password_requires: [digits]",
            "spec.yaml:2:28: 'digits' is not a valid password_requires (expected one of "
            "lowercase, uppercase, digit, symbol); did you mean 'digit'?",
        ),
        (
            "password_requires: [digit, digit]",
            "spec.yaml:2:27: 'password_requires': each character class may be listed once",
        ),
    ],
)
def test_password_policy_mistakes_are_located(auth: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text(spec_with(auth), "spec.yaml")
    assert [str(p) for p in caught.value.problems] == [expected]
