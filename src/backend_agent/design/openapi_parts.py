"""Building blocks shared by the OpenAPI modules: references, envelopes, responses, paging."""

from __future__ import annotations

from typing import Any

from backend_agent.design.blueprint import Blueprint

__all__ = ["JSON", "MAX_PAGE", "envelope", "error", "ok", "paging_params", "ref"]

JSON = dict[str, Any]
MAX_PAGE = 1_000_000  # keeps OFFSET within every database's range


def ref(name: str) -> JSON:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(data: JSON, *, page: bool = False) -> JSON:
    """The success envelope around ``data`` (with the page metadata for lists)."""
    properties: JSON = {"success": {"const": True}, "data": data}
    required = ["success", "data"]
    if page:
        properties["meta"] = ref("PageMeta")
        required.append("meta")
    return {"type": "object", "properties": properties, "required": required}


def error(description: str) -> JSON:
    """A response in the error envelope."""
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def ok(schema: str | None, description: str, *, location: bool = False) -> JSON:
    """A success response of ``schema`` (none for 204), with a Location header if asked."""
    response: JSON = {"description": description}
    if schema:
        response["content"] = {"application/json": {"schema": ref(schema)}}
    if location:
        response["headers"] = {
            "Location": {
                "description": "The URL of the new resource.",
                "schema": {"type": "string"},
            }
        }
    return response


def paging_params(blueprint: Blueprint) -> list[JSON]:
    """``page`` and ``limit``, bounded like every list of the service."""
    return [
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": blueprint.max_page_size,
                "default": blueprint.page_size,
            },
        },
    ]
