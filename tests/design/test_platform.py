"""The service's own tables and routes: audit log, idempotency keys, ETag preconditions."""

from __future__ import annotations

import pytest

from backend_agent.design import architecture_markdown, design, openapi_document
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec, load_spec_text
from tests.conftest import ROOT

SPEC = "name: a\n{auth}entities:\n  Note:\n    owner: true\n    fields: {{x: string}}\n"


def test_audit_log_and_idempotency_keys_are_tables_of_every_service() -> None:
    blueprint = design(load_spec(ROOT / "examples" / "blog.yaml"))
    names = [t.name for t in blueprint.tables]
    assert names[-2:] == ["audit_log", "idempotency_keys"]
    keys = blueprint.platform.idempotency_keys
    unique = [i for i in keys.indexes if i.unique]
    assert [i.columns for i in unique] == [("user_id", "idempotency_key")]
    assert keys.column("user_id").foreign_key is not None
    assert blueprint.platform.audit_log.column("actor_id").foreign_key is None
    assert "audit_log {" in architecture_markdown(blueprint)


@pytest.mark.parametrize(
    ("auth", "audit_role", "admin_role"),
    [
        ("", "admin", "admin"),  # default roles: admin, user
        ("auth: {roles: [librarian, member]}\n", "librarian", None),
        ("auth: {roles: [librarian, member], admin_role: member}\n", "member", "member"),
    ],
)
def test_audit_log_is_read_by_the_admin_role(
    auth: str, audit_role: str, admin_role: str | None
) -> None:
    blueprint = design(load_spec_text(SPEC.format(auth=auth)))
    assert blueprint.platform.audit_role == audit_role
    assert blueprint.auth.admin_role == admin_role
    route = next(r for r in blueprint.routes if r.action == "audit_list")
    assert (route.method, route.path) == ("GET", "/api/v1/audit-log")
    assert (route.rule.kind, route.rule.roles) == ("roles", (audit_role,))


def test_an_admin_role_that_is_not_a_role_is_refused() -> None:
    with pytest.raises(SpecError, match="admin_role 'boss' is not one of the roles"):
        load_spec_text(SPEC.format(auth="auth: {roles: [a, b], admin_role: boss}\n"))


def test_library_permissions_do_not_change_with_the_audit_role() -> None:
    blueprint = design(load_spec(ROOT / "examples" / "library.yaml"))
    assert blueprint.auth.admin_role is None
    assert blueprint.platform.audit_role == "librarian"


def test_openapi_documents_preconditions_and_idempotency() -> None:
    document = openapi_document(design(load_spec(ROOT / "examples" / "blog.yaml")))
    item = document["paths"]["/api/v1/posts/{id}"]
    for method in ("put", "patch", "delete"):
        assert "If-Match" in [p["name"] for p in item[method]["parameters"]]
        assert "412" in item[method]["responses"]
    assert "ETag" in item["get"]["responses"]["200"]["headers"]
    assert "ETag" in item["patch"]["responses"]["200"]["headers"]
    create = document["paths"]["/api/v1/posts"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    audit = document["paths"]["/api/v1/audit-log"]["get"]
    assert {"401", "403", "422"} <= set(audit["responses"])
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert {"PRECONDITION_FAILED", "IDEMPOTENCY_KEY_REUSED"} <= set(codes["code"]["enum"])


@pytest.mark.parametrize("name", ["AuditLogEntry", "IdempotencyKey", "Audit", "Idempotency"])
def test_entity_names_of_the_platform_are_reserved(name: str) -> None:
    with pytest.raises(SpecError, match=f"entity name '{name}'"):
        load_spec_text(f"name: a\nentities:\n  {name}:\n    fields: {{x: string}}\n")
