"""The OpenAPI document (the designed contract, served as written) and Swagger UI."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

# Written at generation time from the same design as the code; FastAPI's own schema
# generation is off so that there is exactly one contract.
OPENAPI = (Path(__file__).resolve().parents[2] / "openapi.json").read_bytes()

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_document() -> Response:
    return Response(OPENAPI, media_type="application/json")


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Blog API")
