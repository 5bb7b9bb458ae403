"""The OpenAPI document (FastAPI's own, written from the routes) and Swagger UI.

FastAPI writes the document from the routes, so a route the owner adds is in it. The
designed contract (app/openapi.json, written at generation time from the same design
as the code) says what the routes cannot: each designed route takes its responses (the
envelope, every error) through ``responses=`` (:func:`design_responses`), and the app
its description and tags through ``FastAPI(...)``. A route that reads its body itself
(app.api.bodies) names the body's model through ``openapi_extra`` (:func:`request_body`).
Then :func:`install` (FastAPI's documented hook) adds to FastAPI's document the schemas
of those models, and the designed schemas the responses refer to (the envelopes, the
error), which no model defines. tests/test_openapi.py checks the served document
against the design.

Open in development and test; in production they ask for ``DOCS_TOKEN`` or a client
from ``OPS_ALLOW_IPS``, and without either they are hidden (404): an API's full map is
an attacker's first reading (see :func:`app.core.security.ops_access`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from pydantic import BaseModel
from starlette.responses import HTMLResponse, Response

from app.core.responses import JSONResponse
from app.core.security import ops_access

# The designed contract, written at generation time from the same design as the code.
OPENAPI = (Path(__file__).resolve().parents[2] / "openapi.json").read_bytes()
DESIGN: dict[str, Any] = json.loads(OPENAPI)
_OPERATIONS: dict[str, dict[str, Any]] = {
    operation["operationId"]: operation
    for item in DESIGN["paths"].values()
    for operation in item.values()
}

# The models of the bodies that routes read themselves (request_body), by name.
_BODY_MODELS: dict[str, type[BaseModel]] = {}
REF = "#/components/schemas/"

router = APIRouter(include_in_schema=False)


def design_responses(operation_id: str) -> dict[int | str, dict[str, Any]]:
    """The designed responses of an operation, for its route's ``responses=``."""
    responses: dict[int | str, dict[str, Any]] = copy.deepcopy(
        _OPERATIONS[operation_id]["responses"]
    )
    return responses


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra=`` of a route that reads its body itself (app.api.bodies.json_body):
    FastAPI sees no body parameter there, so the route names the body's model, and
    :func:`install` adds the model's schema to the document."""
    _BODY_MODELS[model.__name__] = model
    schema = {"$ref": REF + model.__name__}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def install(app: FastAPI) -> None:
    """Add to FastAPI's document of ``app`` the schemas of the bodies routes read
    themselves, then the designed schemas no model defines (the envelopes and the error);
    built once, like FastAPI's own."""
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = fastapi_openapi()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, model in _BODY_MODELS.items():
            schema = model.model_json_schema(ref_template=REF + "{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
        for name, schema in DESIGN["components"]["schemas"].items():
            schemas.setdefault(name, copy.deepcopy(schema))
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _authorize(request: Request) -> None:
    settings = request.app.state.settings
    ops_access(
        client=request.client.host if request.client else None,
        authorization=request.headers.get("Authorization", ""),
        token=settings.docs_token,
        settings=settings,
    )


@router.get("/openapi.json")
async def openapi_document(request: Request) -> Response:
    _authorize(request)
    return JSONResponse(request.app.openapi())


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    _authorize(request)
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Shop API")
