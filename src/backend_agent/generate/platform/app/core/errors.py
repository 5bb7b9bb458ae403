"""Errors as clients see them: one envelope for every failure, never a stack trace.

::

    AppError                     status, code and message of a failure the client caused
     +-- ValidationFailed        422 VALIDATION_ERROR
     +-- NotFoundError           404 NOT_FOUND
     +-- AuthenticationRequired  401 AUTHENTICATION_REQUIRED
     +-- InvalidToken            401 INVALID_TOKEN
     |    +-- RefreshTokenReused 401 REFRESH_TOKEN_REUSED
     +-- InvalidCredentials      401 INVALID_CREDENTIALS
     +-- Forbidden               403 FORBIDDEN
     +-- Conflict                409 CONFLICT
     +-- EmailTaken              409 EMAIL_TAKEN
     +-- PreconditionFailed      412 PRECONDITION_FAILED
     +-- IdempotencyKeyReused    422 IDEMPOTENCY_KEY_REUSED
     +-- TooManyRequests         429, with Retry-After
     |    +-- AccountLocked      429 ACCOUNT_LOCKED
     |    +-- RateLimited        429 RATE_LIMITED
     +-- ServiceUnavailable      503 SERVICE_UNAVAILABLE, with Retry-After
     +-- DeadlineExceeded        504 TIMEOUT, with Retry-After

A body that is not JSON (its content type says otherwise, or nothing) is answered
415 UNSUPPORTED_MEDIA_TYPE by the validation handler.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.responses import JSONResponse
from app.core.rules import RowRule
from app.models.base import Base

logger = logging.getLogger(__name__)

Detail = dict[str, str]

# Errors raised by the framework itself (routing, body parsing) keep their status.
_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
# The one detail of a 415: what the body must be.
NOT_JSON = {
    "field": "header.Content-Type",
    "message": "The body must be JSON: send Content-Type: application/json.",
}


class AppError(Exception):
    """A failure to report to the client; subclasses fix the status and code."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    default_message: ClassVar[str] = "An unexpected error occurred."
    default_headers: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Sequence[Detail] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = list(details)
        self.headers = {**self.default_headers, **(headers or {})}
        super().__init__(self.message)


class ValidationFailed(AppError):
    status_code = 422
    code = "VALIDATION_ERROR"
    default_message = "The request is not valid."


class NotFoundError(AppError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Not found."


class AuthenticationRequired(AppError):
    status_code = 401
    code = "AUTHENTICATION_REQUIRED"
    default_message = "Authentication is required: send a bearer token."
    default_headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class InvalidToken(AppError):
    status_code = 401
    code = "INVALID_TOKEN"
    default_message = "The token is invalid, expired or revoked."
    default_headers: ClassVar[Mapping[str, str]] = {
        "WWW-Authenticate": 'Bearer error="invalid_token"'
    }


class RefreshTokenReused(InvalidToken):
    """A refresh token was presented after it had been used: it was copied, so its
    session (every token issued to that login) has been revoked."""

    code = "REFRESH_TOKEN_REUSED"
    default_message = "This refresh token was already used; the session is revoked: sign in again."


class InvalidCredentials(AppError):
    status_code = 401
    code = "INVALID_CREDENTIALS"
    default_message = "Invalid email or password."


class Forbidden(AppError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"
    default_message = "This conflicts with existing data."


class EmailTaken(AppError):
    status_code = 409
    code = "EMAIL_TAKEN"
    default_message = "An account with this email already exists."


class PreconditionFailed(AppError):
    status_code = 412
    code = "PRECONDITION_FAILED"
    default_message = "The resource changed since you read it (If-Match): read it again."


class IdempotencyKeyReused(AppError):
    status_code = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used for a different request."


class TooManyRequests(AppError):
    status_code = 429
    code = "RATE_LIMITED"
    default_message = "Too many requests; try again later."

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, math.ceil(retry_after)))})


class AccountLocked(TooManyRequests):
    code = "ACCOUNT_LOCKED"
    default_message = "Too many failed logins: the account is locked for a while."


class RateLimited(TooManyRequests):
    pass


# Seconds a client is asked to wait before retrying after a 503 or a 504.
RETRY_AFTER_SECONDS = 1


class ServiceUnavailable(AppError):
    """A dependency (the database) cannot serve now: down, restarting, frozen, saturated."""

    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "The service cannot reach a dependency; try again shortly."
    default_headers: ClassVar[Mapping[str, str]] = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class DeadlineExceeded(AppError):
    """The request ran past ``REQUEST_TIMEOUT``: it was abandoned, its outcome unknown."""

    status_code = 504
    code = "TIMEOUT"
    default_message = (
        "The request did not finish in time and was abandoned; a write may or may not have"
        " been applied (retry with the same Idempotency-Key to be safe)."
    )
    default_headers: ClassVar[Mapping[str, str]] = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def error_response(
    request_id: str,
    status_code: int,
    code: str,
    message: str,
    *,
    details: Sequence[Detail] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error envelope."""
    body = {
        "success": False,
        "error": {
            "code": code,
            "message": message,
            "details": list(details),
            "timestamp": datetime.now(UTC).isoformat(),
            "requestId": request_id,
        },
    }
    return JSONResponse(body, status_code=status_code, headers=headers)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    return error_response(
        _request_id(request),
        exc.status_code,
        exc.code,
        exc.message,
        details=exc.details,
        headers=exc.headers,
    )


def field_name(error: Mapping[str, Any]) -> str:
    """Where a validation error is, as the envelope names it: ("body", "title") is
    "title", ("query", "limit") is "query.limit"."""
    if error.get("type") == "json_invalid":
        return "body"
    location = [str(part) for part in error.get("loc", ())]
    if location[:1] == ["body"]:
        location = location[1:]
    return ".".join(location) or "body"


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    if isinstance(exc.body, bytes) and exc.body:
        # The body was left as bytes: its content type is not JSON (text, a form) or
        # missing, so no model could take it. That is the media type's fault, not a field's.
        return error_response(
            _request_id(request),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "The request body must be JSON.",
            details=[NOT_JSON],
        )
    details = [{"field": field_name(error), "message": str(error["msg"])} for error in exc.errors()]
    return error_response(
        _request_id(request),
        422,
        "VALIDATION_ERROR",
        "The request is not valid.",
        details=details,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    if status == 400:
        # The framework could not read the body at all (bytes that are not UTF-8, say):
        # to the client that is one more invalid request, reported like the others.
        details = [{"field": "body", "message": str(exc.detail)}]
        return error_response(
            _request_id(request),
            422,
            "VALIDATION_ERROR",
            "The request is not valid.",
            details=details,
        )
    code = _HTTP_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR")
    return error_response(_request_id(request), status, code, str(exc.detail), headers=exc.headers)


def integrity_failure(exc: IntegrityError) -> AppError:
    """What a broken constraint means to the client, in the API's fields: a rule's CHECK
    is a 422, a unique index of the spec's fields a 409 naming them. The driver's message
    is logged, never returned."""
    # A constraint the services did not check first, or a race between two writers.
    logger.warning("integrity error: %s", exc.orig)
    info = constraint_info(exc)
    if "rule" in info:
        return ValidationFailed(details=RowRule(*info["rule"]).details())
    fields = info.get("fields", ())
    if not fields:
        return Conflict()
    together = f" together with {', '.join(fields[1:])}" if len(fields) > 1 else ""
    details = [{"field": fields[0], "message": f"is taken{together}"}]
    details += [
        {"field": name, "message": f"is taken together with {fields[0]}"} for name in fields[1:]
    ]
    return Conflict(f"Another row already has this {' and '.join(fields)}.", details=details)


async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    return await _app_error(request, integrity_failure(exc))


# SQLite names the columns of a unique index it enforced, or the CHECK constraint.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


def constraint_info(exc: IntegrityError) -> Mapping[str, Any]:
    """The ``info`` of the constraint ``exc`` broke, or an empty mapping when unknown."""
    name = getattr(exc.orig, "constraint_name", None)  # asyncpg, through SQLAlchemy
    name = name or getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    text = str(exc.orig)
    if name is None and (found := _SQLITE_CHECK.search(text)):
        name = found.group(1)
    if name is not None:
        for table in Base.metadata.tables.values():
            for index in table.indexes:
                if index.name == name:
                    return index.info
            for constraint in table.constraints:
                if constraint.name == name:
                    return constraint.info
        return {}
    if (found := _SQLITE_UNIQUE.search(text)) is not None:
        pairs = [part.strip().split(".", 1) for part in found.group(1).split(",")]
        columns = [column for _, column in pairs]
        if (written := Base.metadata.tables.get(pairs[0][0])) is not None:
            for index in written.indexes:
                if index.unique and [c.name for c in index.columns] == columns:
                    return index.info
    return {}


def register_error_handlers(app: FastAPI) -> None:
    """Route every error the framework knows about into the envelope."""
    app.exception_handler(AppError)(_app_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(IntegrityError)(_integrity_error)
