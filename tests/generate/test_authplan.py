"""The auth plan of the generated suite: each weak password breaks exactly one rule."""

from __future__ import annotations

import pytest

from backend_agent.design import design
from backend_agent.generate.authplan import auth_plan
from backend_agent.spec import load_spec_text

GUESSABLE = {"easy_to_guess", "top_ten", "digits", "spaces"}
CLASSES = {
    "lowercase": str.islower,
    "uppercase": str.isupper,
    "digit": str.isdigit,
    "symbol": lambda char: not char.isalnum() and not char.isspace(),
}


def problems(
    password: str, email: str, *, low: int, high: int, requires: tuple[str, ...]
) -> set[str]:
    found = {f"without_{name}" for name in requires if not any(map(CLASSES[name], password))}
    if len(password) < low:
        found.add("too_short")
    if len(password) > high:
        found.add("too_long")
    if email in password.casefold():
        found.add("contains_the_email")
    return found


@pytest.mark.parametrize(
    "auth",
    [
        "{}",
        "{password_min_length: 8, password_max_length: 64, password_requires: [lowercase, uppercase, digit, symbol]}",
        "{password_min_length: 128, password_max_length: 128, password_requires: [symbol, digit]}",
    ],
)
def test_each_weak_password_breaks_one_rule_and_the_good_ones_none(auth: str) -> None:
    text = f"name: a\nauth: {auth}\nentities:\n  A:\n    fields: {{x: string}}\n"
    design_ = design(load_spec_text(text)).auth
    plan = auth_plan(design_)
    rules = {
        "low": design_.password_min_length,
        "high": design_.password_max_length,
        "requires": design_.password_requires,
    }
    assert problems(plan.password, plan.email, **rules) == set()
    assert problems(plan.new_password, plan.email, **rules) == set()
    assert plan.new_password != plan.password
    for name, expression in plan.weak_passwords:
        weak = eval(expression, {"PASSWORD": plan.password, "EMAIL": plan.email})  # noqa: S307
        # A guessable password breaks no rule checked here: the strength estimate (in the
        # generated service, where its test runs) is what refuses it.
        expected = set() if name in GUESSABLE else {name}
        assert problems(weak, plan.email, **rules) == expected, (name, weak)


def test_every_spec_gets_a_guessable_password_that_passes_the_other_rules() -> None:
    text = "name: a\nentities:\n  A:\n    fields: {x: string}\n"
    names = {name for name, _ in auth_plan(design(load_spec_text(text)).auth).weak_passwords}
    assert names >= GUESSABLE
