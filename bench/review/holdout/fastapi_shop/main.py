import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from fastapi_shop.config import get_settings
from fastapi_shop.routers import orders, reports, users

logger = logging.getLogger("shop")
app = FastAPI(title="shop")
app.add_middleware(
    CORSMiddleware, allow_origins=get_settings().allowed_origins, allow_credentials=True
)
app.include_router(users.router, prefix="/users")
app.include_router(orders.router, prefix="/orders")
app.include_router(reports.router, prefix="/reports")


@app.middleware("http")
async def log_requests(request: Request, call_next):
    logger.info("%s %s auth=%s", request.method, request.url.path, request.headers.get("authorization"))  # expect: sensitive_data_in_logs
    return await call_next(request)


@app.exception_handler(Exception)
async def on_error(request: Request, exc: Exception):
    logger.exception("unhandled")
    return JSONResponse(
        {"detail": "Internal Server Error", "type": type(exc).__name__}, status_code=500
    )
