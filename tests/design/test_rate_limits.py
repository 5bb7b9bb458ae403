"""Rate limits: service defaults, entity overrides, and the rate each route is held to."""

from __future__ import annotations

from backend_agent.design import design, openapi_document
from backend_agent.spec import load_spec_text

SPEC = """\
name: a
rate_limits: {read: 100/minute}
auth: {rate_limit: 3/minute}
entities:
  Note:
    fields: {x: string}
    rate_limits: {write: 10/minute}
  Tag:
    fields: {x: string}
"""


def test_entities_override_the_service_rates_per_class() -> None:
    blueprint = design(load_spec_text(SPEC))
    assert (blueprint.rate_limits.read, blueprint.rate_limits.write) == ("100/minute", "60/minute")
    note, tag = blueprint.entity("Note"), blueprint.entity("Tag")
    assert note.rate_limit_overrides == (("write", "10/minute"),)
    assert note.rate_limits is not None
    assert (note.rate_limits.read, note.rate_limits.write) == ("100/minute", "10/minute")
    assert tag.rate_limit_overrides == ()


def test_every_api_route_is_limited_and_health_is_not() -> None:
    routes = {r.operation_id: r.rate_limit for r in design(load_spec_text(SPEC)).routes}
    assert routes["health_live"] is None
    assert routes["login"] == routes["register"] == "3/minute"
    assert routes["get_me"] == "100/minute"
    assert (routes["list_notes"], routes["create_note"]) == ("100/minute", "10/minute")
    assert (routes["list_tags"], routes["delete_tag"]) == ("100/minute", "60/minute")


def test_openapi_documents_429_and_the_ratelimit_headers() -> None:
    paths = openapi_document(design(load_spec_text(SPEC)))["paths"]
    create = paths["/api/v1/notes"]["post"]["responses"]
    assert "10/minute" in create["429"]["description"]
    assert {"Retry-After", "RateLimit-Limit", "RateLimit-Reset"} <= set(create["429"]["headers"])
    assert "RateLimit-Remaining" in create["201"]["headers"]
    assert "429" not in paths["/health/live"]["get"]["responses"]
