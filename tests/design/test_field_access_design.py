"""Field-level permissions in the contract: a field some callers may not see is not
required in responses and says who sees it; one some may not set says who may, and its
writes document the 403."""

from __future__ import annotations

from backend_agent.design import design
from backend_agent.design.openapi import openapi_document
from backend_agent.spec import load_spec_text

SPEC = """\
name: staff
auth: {roles: [admin, manager, member], default_role: member}
entities:
  Employee:
    fields:
      name: {type: string, required: true}
      salary: {type: decimal, nullable: true, read: [admin, manager], write: [admin]}
    permissions: {create: anyone, update: anyone}
  Team:
    fields: {title: string}
    permissions: {create: anyone, update: anyone}
"""


def test_a_hidden_field_is_optional_in_responses_and_says_who_sees_it() -> None:
    blueprint = design(load_spec_text(SPEC))
    field = blueprint.entity("Employee").field("salary")
    assert (field.read_roles, field.write_roles) == (("admin", "manager"), ("admin",))
    assert field.shown_to("manager")
    assert not field.shown_to("member")
    assert not field.shown_to(None)
    schemas = openapi_document(blueprint)["components"]["schemas"]
    assert "salary" in schemas["Employee"]["properties"]
    assert "salary" not in schemas["Employee"]["required"]
    assert "name" in schemas["Employee"]["required"]
    said = schemas["Employee"]["properties"]["salary"]["description"]
    assert said == "Shown only to roles admin, manager."
    assert schemas["EmployeeCreate"]["properties"]["salary"]["description"] == (
        "Only roles admin may set it; anyone else sending it gets 403."
    )


def test_writes_of_a_guarded_field_document_the_403() -> None:
    paths = openapi_document(design(load_spec_text(SPEC)))["paths"]
    for path, method in (("/api/v1/employees", "post"), ("/api/v1/employees/{id}", "put"),
                         ("/api/v1/employees/{id}", "patch")):  # fmt: skip
        assert "403" in paths[path][method]["responses"], (path, method)
    # Anyone may write a team: nothing there is refused.
    assert "403" not in paths["/api/v1/teams"]["post"]["responses"]
