"""What the live gates need to know about an API, read from its OpenAPI document.

Nothing here knows backend-agent's own conventions: operations, their
security, parameters and request bodies, and *collections* (a path with a
list and a create operation, plus an item path under it) are found the way
any OpenAPI 3 document describes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend_agent.errors import GateError

__all__ = [
    "PAGING_NAMES",
    "SORT_NAMES",
    "Api",
    "Collection",
    "Operation",
    "Parameter",
    "next_link",
    "row_count",
    "row_id",
    "rows_of",
]

JSON = dict[str, Any]
_METHODS = ("get", "post", "put", "patch", "delete")
_LOGIN_WORDS = ("login", "signin", "sign-in", "token", "session", "sessions")
SORT_NAMES = frozenset({"sort", "order", "order_by", "orderby", "sort_by", "ordering"})
PAGING_NAMES = frozenset(
    {"page", "limit", "offset", "count", "per_page", "page_size", "size", "cursor", "skip", "take"}
)


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter with its resolved schema."""

    name: str
    location: str
    required: bool
    schema: JSON


@dataclass(frozen=True)
class Operation:
    """One HTTP operation of the API."""

    method: str
    path: str
    operation_id: str
    secured: bool
    parameters: tuple[Parameter, ...] = ()
    body: JSON | None = None  # the resolved JSON request body schema
    statuses: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``GET /things/{id}``."""
        return f"{self.method} {self.path}"

    @property
    def key(self) -> str:
        """A figure-name suffix: the operationId made safe."""
        return re.sub(r"[^A-Za-z0-9_]+", "_", self.operation_id).strip("_")

    def params(self, location: str) -> tuple[Parameter, ...]:
        """The parameters in ``location`` (path, query, header)."""
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class Collection:
    """A resource collection: ``GET``/``POST`` on ``path`` and operations on ``path/{param}``."""

    path: str
    item_path: str
    item_param: str
    list_op: Operation | None
    create_op: Operation | None
    read_op: Operation | None
    item_ops: tuple[Operation, ...] = ()

    @property
    def name(self) -> str:
        """The last segment of the path (``posts``)."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def _resolve(document: JSON, node: Any, depth: int = 0) -> Any:
    """``node`` with every local ``$ref`` replaced by its target (cycles cut at depth 12)."""
    if depth > 12:
        return {}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/"):
                raise GateError(f"the OpenAPI document uses a non-local $ref ({ref})")
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _resolve(document, {**target, **rest}, depth + 1)
        return {k: _resolve(document, v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(document, item, depth + 1) for item in node]
    return node


def _secured(document: JSON, operation: JSON) -> bool:
    requirements = operation.get("security", document.get("security")) or []
    return bool(requirements) and all(requirement for requirement in requirements)


def _operation(document: JSON, path: str, method: str, raw: JSON, shared: list[Any]) -> Operation:
    parameters = []
    for item in [*shared, *raw.get("parameters", [])]:
        param = _resolve(document, item)
        if param.get("in") not in ("path", "query", "header"):
            continue
        parameters.append(
            Parameter(
                name=str(param["name"]),
                location=str(param["in"]),
                required=bool(param.get("required", param.get("in") == "path")),
                schema=param.get("schema", {}),
            )
        )
    body = None
    request = _resolve(document, raw.get("requestBody", {}))
    content = request.get("content", {})
    if "application/json" in content:
        body = content["application/json"].get("schema", {})
    fallback = f"{method}_{path}"
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=str(raw.get("operationId") or re.sub(r"\W+", "_", fallback).strip("_")),
        secured=_secured(document, raw),
        parameters=tuple(parameters),
        body=body,
        statuses=tuple(str(code) for code in raw.get("responses", {})),
    )


@dataclass(frozen=True)
class Api:
    """The operations and collections of an OpenAPI 3 document, in document order."""

    document: JSON
    operations: tuple[Operation, ...]
    collections: tuple[Collection, ...] = field(default=())

    @classmethod
    def from_document(cls, document: JSON) -> Api:
        """Read ``document``; ``GateError`` when it is not an OpenAPI 3 document."""
        if not str(document.get("openapi", "")).startswith("3") or "paths" not in document:
            raise GateError("not an OpenAPI 3 document (no 'openapi: 3.x' and 'paths')")
        operations = []
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in _METHODS:
                if method in item:
                    operations.append(_operation(document, path, method, item[method], shared))
        return cls(document, tuple(operations), _collections(tuple(operations)))

    def operation(self, operation_id: str) -> Operation | None:
        """The operation with this operationId, if any."""
        return next((o for o in self.operations if o.operation_id == operation_id), None)

    def collection_of(self, path: str) -> Collection | None:
        """The collection whose path or item path is ``path``."""
        return next((c for c in self.collections if path in (c.path, c.item_path)), None)

    def collection_for(self, operation: Operation) -> Collection | None:
        """The collection an operation works on (also ``/things/{id}/sub`` operations)."""
        best = None
        for collection in self.collections:
            inside = operation.path == collection.path or operation.path.startswith(
                collection.item_path
            )
            if inside and (best is None or len(collection.path) > len(best.path)):
                best = collection
        return best

    def login_operation(self) -> Operation | None:
        """A public POST whose last path segment reads like a login (``/auth/login``)."""
        for op in self.operations:
            last = op.path.rstrip("/").rsplit("/", 1)[-1].lower()
            if op.method == "POST" and not op.secured and op.body and last in _LOGIN_WORDS:
                return op
        return None


def _collections(operations: tuple[Operation, ...]) -> tuple[Collection, ...]:
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = op
    found = []
    for path, methods in by_path.items():
        if "GET" not in methods or "POST" not in methods:
            continue
        # Django-style APIs end every path with "/" ("/users/" and "/users/{id}/").
        items = [
            p
            for p in by_path
            if p.rstrip("/").startswith(path.rstrip("/") + "/{")
            and p.rstrip("/").endswith("}")
            and p.rstrip("/").count("/") == path.rstrip("/").count("/") + 1
        ]
        if not items:
            continue
        item_path = items[0]
        item_ops = tuple(by_path[item_path].values())
        found.append(
            Collection(
                path=path,
                item_path=item_path,
                item_param=item_path.rstrip("/").rsplit("{", 1)[1].rstrip("}"),
                list_op=methods["GET"],
                create_op=methods["POST"],
                read_op=by_path[item_path].get("GET"),
                item_ops=item_ops,
            )
        )
    return tuple(found)


def _data(body: Any) -> Any:
    if isinstance(body, dict) and "data" in body and ("success" in body or "meta" in body):
        return body["data"]
    return body


def rows_of(body: Any) -> list[Any] | None:
    """The rows of a list response, in any common shape.

    A bare array; an envelope's ``data`` (ours, JSON:API); ``items``, ``results`` and
    the like; HAL's ``_embedded`` array; else the body's one array field.
    """
    body = _data(body)
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for name in ("items", "results", "data", "rows", "records", "content"):
            if isinstance(body.get(name), list):
                return list(body[name])
        embedded = body.get("_embedded")
        if isinstance(embedded, dict):
            arrays = [v for v in embedded.values() if isinstance(v, list)]
            if len(arrays) == 1:
                return list(arrays[0])
        arrays = [v for v in body.values() if isinstance(v, list)]
        if len(arrays) == 1:
            return list(arrays[0])
    return None


def next_link(headers: Mapping[str, str]) -> str | None:
    """The URL of the next page that a ``Link`` header names (``rel="next"``, RFC 8288)."""
    for part in headers.get("link", "").split(","):
        url, _, params = part.partition(";")
        if re.search(r"""\brel\s*=\s*"?next\b""", params):
            return url.strip().removeprefix("<").removesuffix(">")
    return None


def row_count(body: Any) -> int | None:
    """The total a list response reports (``meta.total``, ``total``, ``count``), if any."""
    for holder in (body.get("meta") if isinstance(body, dict) else None, _data(body), body):
        if isinstance(holder, dict):
            for name in ("total", "count", "total_count", "totalCount"):
                if isinstance(holder.get(name), int) and not isinstance(holder.get(name), bool):
                    return int(holder[name])
    return None


def row_id(body: Any) -> str | None:
    """The id of a row: ``id`` (or ``uuid``, ``_id``, ``pk``) in the body, its ``data``
    (an envelope, JSON:API) or the last segment of HAL's ``_links.self.href``."""
    body = _data(body)
    if not isinstance(body, dict):
        return None
    for name in ("id", "uuid", "_id", "pk"):
        value = body.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    if isinstance(body.get("data"), dict):
        return row_id(body["data"])
    links = body.get("_links")
    link = links.get("self") if isinstance(links, dict) else None
    href = link.get("href") if isinstance(link, dict) else None
    if isinstance(href, str) and href.rstrip("/"):
        return href.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or None
    return None
