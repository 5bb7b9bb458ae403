"""The OpenAPI document (the designed contract, served as written) and Swagger UI.

Open in development and test; in production they ask for ``DOCS_TOKEN`` or a client
from ``OPS_ALLOW_IPS``, and without either they are hidden (404): an API's full map is
an attacker's first reading (see :func:`app.core.security.ops_access`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from app.core.security import ops_access

# Written at generation time from the same design as the code; FastAPI's own schema
# generation is off so that there is exactly one contract.
OPENAPI = (Path(__file__).resolve().parents[2] / "openapi.json").read_bytes()

router = APIRouter(include_in_schema=False)


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
    return Response(OPENAPI, media_type="application/json")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    _authorize(request)
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Warehouse API")
