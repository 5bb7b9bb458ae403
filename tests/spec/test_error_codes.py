"""Error codes a spec declares for its hooks: accepted, refused when they clash."""

from __future__ import annotations

import pytest

from backend_agent.design import design
from backend_agent.design.errors import DOMAIN_ERROR, ERROR_CODES, TRANSITION_ERRORS, error_codes
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.errorcodes import RESERVED_ERROR_CODES, class_name

SPEC = """\
name: shop
entities:
  Item:
    fields: {{name: string}}
errors: {errors}
"""


def problems(errors: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC.format(errors=errors), "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_reserved_codes_are_the_services_own() -> None:
    # Drift: a code the design adds must be reserved in the loader too.
    assert {*ERROR_CODES, *TRANSITION_ERRORS, *DOMAIN_ERROR} == RESERVED_ERROR_CODES


def test_declared_codes_join_the_services_codes() -> None:
    spec = load_spec_text(
        SPEC.format(errors="{OUT_OF_STOCK: 409, TOO_LATE: {status: 410, description: Gone.}}")
    )
    codes = error_codes(design(spec))
    assert codes["OUT_OF_STOCK"] == (409, "Refused by a rule of the service (OUT_OF_STOCK).")
    assert codes["TOO_LATE"] == (410, "Gone.")
    assert codes["DOMAIN_ERROR"][0] == 422
    assert class_name("OUT_OF_STOCK") == "OutOfStock"


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ("{CONFLICT: 409}", "error code 'CONFLICT' is one the service answers with on its own"),
        ("{DOMAIN_ERROR: 422}", "'DOMAIN_ERROR' is one the service answers with"),
        ("{OUT_OF_STOCK: 409, OUT_OF__STOCK: 409}", "would both be the class OutOfStock"),
        ("{OUT_OF_STOCK: 429}", "a domain error's status is one of 400, 402, 403, 404, 409"),
        ("{out_of_stock: 409}", "should match pattern '^[A-Z][A-Z0-9_]*$'"),
    ],
)
def test_a_code_that_would_mislead_clients_is_refused(errors: str, message: str) -> None:
    found = problems(errors)
    assert any(message in problem for problem in found), found
