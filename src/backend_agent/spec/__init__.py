"""The spec stage: YAML -> a validated, typed ``ServiceSpec``."""

from backend_agent.spec.loader import load_spec, load_spec_text
from backend_agent.spec.model import (
    AuthSpec,
    EntitySpec,
    FieldSpec,
    PermissionsSpec,
    RelationSpec,
    ServiceSpec,
)
from backend_agent.spec.schema import spec_json_schema
from backend_agent.spec.starter import starter_spec

__all__ = [
    "AuthSpec",
    "EntitySpec",
    "FieldSpec",
    "PermissionsSpec",
    "RelationSpec",
    "ServiceSpec",
    "load_spec",
    "load_spec_text",
    "spec_json_schema",
    "starter_spec",
]
