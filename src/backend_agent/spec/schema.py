"""The JSON Schema of the spec format, for editor completion and validation."""

from __future__ import annotations

from typing import Any

from backend_agent.spec.model import FIELD_TYPES, ServiceSpec

__all__ = ["spec_json_schema"]

SCHEMA_ID = "https://backend-agent.dev/schemas/spec.json"
_DURATION = {"type": "string", "pattern": r"^\s*\d+\s*[smhd]\s*$", "examples": ["15m", "24h"]}


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that spec files follow.

    It also accepts the shorthands the loader accepts: ``body: text`` for a
    field, ``24h`` for a duration, and one state for a transition's ``from``.
    """
    schema = ServiceSpec.model_json_schema(mode="validation")
    defs = schema["$defs"]
    defs["FieldSpec"] = {
        "anyOf": [{"type": "string", "enum": list(FIELD_TYPES)}, defs["FieldSpec"]],
    }
    durations = (
        ("AuthSpec", ("token_ttl", "refresh_ttl")),
        ("LockoutSpec", ("window",)),
        ("JobSpec", ("every", "delay", "backoff", "timeout")),
        ("CacheSpec", ("ttl",)),
    )
    for model, names in durations:
        properties = defs[model]["properties"]
        for name in names:
            properties[name] = {"anyOf": [properties[name], _DURATION]}
    # ``from: draft`` is short for ``from: [draft]``.
    sources = defs["TransitionSpec"]["properties"]["from"]
    defs["TransitionSpec"]["properties"]["from"] = {"anyOf": [{"type": "string"}, sources]}
    # ``cache: 60s`` is short for ``cache: {ttl: 60s}``.
    defs["CacheSpec"] = {
        "anyOf": [_DURATION, {"type": "integer", "exclusiveMinimum": 0}, defs["CacheSpec"]]
    }
    # ``search: [title, body]`` is short for ``search: {fields: [title, body]}``.
    search = defs["SearchSpec"]
    defs["SearchSpec"] = {"anyOf": [search["properties"]["fields"], search]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "backend-agent service spec",
    }
