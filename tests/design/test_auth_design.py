"""The auth design: sessions as refresh-token families, the routes, the password policy."""

from __future__ import annotations

from typing import Any

from backend_agent.design import design, openapi_document
from backend_agent.design.errors import ERROR_CODES
from backend_agent.spec import load_spec_text

SPEC = """\
name: a
auth:
  password_min_length: 12
  password_max_length: 100
  password_requires: [digit, symbol]
entities:
  A:
    fields: {x: string}
"""


def test_refresh_tokens_belong_to_a_session_and_are_stored_as_unique_digests() -> None:
    auth = design(load_spec_text(SPEC)).auth
    tokens = auth.refresh_tokens
    session_id, token_hash, used_at = (
        tokens.column(n) for n in ("session_id", "token_hash", "used_at")
    )
    assert session_id.foreign_key is not None
    assert (session_id.foreign_key.table, session_id.foreign_key.on_delete) == (
        "sessions",
        "CASCADE",
    )
    assert (token_hash.type, token_hash.max_length, token_hash.unique) == ("string", 64, True)
    assert used_at.nullable
    indexes = {(i.columns, i.unique) for i in tokens.indexes}
    assert {(("session_id",), False), (("token_hash",), True)} <= indexes
    # The session holds no token: revoking it ends the whole family.
    assert "refresh_token_hash" not in {c.name for c in auth.sessions.columns}


def test_auth_tables_come_first_parents_before_children() -> None:
    blueprint = design(load_spec_text(SPEC))
    names = [t.name for t in blueprint.tables]
    assert names[:3] == ["users", "sessions", "refresh_tokens"]


def test_the_password_policy_reaches_the_design() -> None:
    auth = design(load_spec_text(SPEC)).auth
    assert (auth.password_min_length, auth.password_max_length) == (12, 100)
    assert auth.password_requires == ("digit", "symbol")


def test_logout_all_and_password_change_are_designed_for_signed_in_users() -> None:
    routes = {(r.method, r.path): r for r in design(load_spec_text(SPEC)).routes}
    logout_all = routes[("POST", "/api/v1/auth/logout-all")]
    password = routes[("POST", "/api/v1/auth/password")]
    assert (logout_all.operation_id, logout_all.status) == ("logout_all", 204)
    assert (password.operation_id, password.status) == ("change_password", 200)
    assert logout_all.rule.needs_user
    assert password.rule.needs_user


def test_openapi_documents_the_auth_lifecycle() -> None:
    document = openapi_document(design(load_spec_text(SPEC)))
    schemas: dict[str, Any] = document["components"]["schemas"]
    change = document["paths"]["/api/v1/auth/password"]["post"]
    assert change["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PasswordChange"
    }
    assert {"200", "401", "422", "429"} <= set(change["responses"])
    assert "204" in document["paths"]["/api/v1/auth/logout-all"]["post"]["responses"]
    new_password = schemas["PasswordChange"]["properties"]["new_password"]
    assert (new_password["minLength"], new_password["maxLength"]) == (12, 100)
    assert "a digit character and a symbol character" in new_password["description"]
    # Logging in takes any password within the bound: old accounts predate the policy.
    login = schemas["LoginRequest"]["properties"]["password"]
    assert (login["minLength"], login["maxLength"]) == (1, 100)
    codes = schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert "REFRESH_TOKEN_REUSED" in codes
    assert ERROR_CODES["REFRESH_TOKEN_REUSED"][0] == 401
