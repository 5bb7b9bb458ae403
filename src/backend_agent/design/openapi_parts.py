"""Building blocks shared by the OpenAPI modules: references, envelopes, responses, paging."""

from __future__ import annotations

from typing import Any

from backend_agent.design.blueprint import Blueprint
from backend_agent.design.queries import CURSOR_DESCRIPTION, CURSOR_PARAMETER, MAX_CURSOR_LENGTH

__all__ = ["JSON", "MAX_PAGE", "envelope", "error", "ok", "paging_params", "ref"]

JSON = dict[str, Any]
MAX_PAGE = 1_000_000  # keeps OFFSET within every database's range


def ref(name: str) -> JSON:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(data: JSON, *, page: bool = False, cursor: bool = False) -> JSON:
    """The success envelope around ``data`` (with the paging metadata for lists: pages
    numbered, or with a cursor to the next)."""
    properties: JSON = {"success": {"const": True}, "data": data}
    required = ["success", "data"]
    if page or cursor:
        properties["meta"] = ref("CursorMeta" if cursor else "PageMeta")
        required.append("meta")
    return {"type": "object", "properties": properties, "required": required}


def error(description: str) -> JSON:
    """A response in the error envelope."""
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def ok(schema: str | None, description: str, *, location: bool = False, link: bool = False) -> JSON:
    """A success response of ``schema`` (none for 204), with a Location header (a new
    resource) or a Link header (a page by cursor) if asked."""
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
    if link:
        response["headers"] = {
            "Link": {
                "description": 'The next page\'s URL as `<url>; rel="next"` (RFC 8288), '
                "absent on the last page.",
                "schema": {"type": "string"},
            }
        }
    return response


def paging_params(blueprint: Blueprint, *, cursor: bool = False) -> list[JSON]:
    """``page`` (or ``cursor``) and ``limit``, bounded like every list of the service."""
    start: JSON = {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    }
    if cursor:
        start = {
            "name": CURSOR_PARAMETER,
            "in": "query",
            "description": CURSOR_DESCRIPTION,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR_LENGTH},
        }
    return [
        start,
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
