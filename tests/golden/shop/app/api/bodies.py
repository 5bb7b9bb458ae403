"""JSON bodies and query strings, read and validated as FastAPI reads its own, but only
once the caller may act.

FastAPI parses a body parameter before it solves any dependency: a body that is not
JSON would be refused (422) before the caller is even looked up. The entity routes
take their bodies through :func:`json_body` instead, a dependency declared after the
caller's rule (app.api.deps.allowed), and the fast path's endpoints (app.fastpath.endpoints) call
the same functions in the same order: the rule first (401, 403), then the body (415
when it is not JSON, 422 when it does not parse or validate). :func:`query_model` reads
a query string as FastAPI reads ``Annotated[model, Query()]``, for the fast path's
lists (tests/test_fast_path.py compares their errors with FastAPI's own). The errors go
to the same handler, which answers a body that is not JSON with 415 (app.core.errors).
"""

from __future__ import annotations

import email.message
import json
import types
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

__all__ = ["MISSING", "json_body", "query_model", "read_json", "validated"]

Model = TypeVar("Model", bound=BaseModel)

MISSING: Any = object()  # the request had no body at all


def _is_json(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def read_json(request: Request) -> Any:
    """The body as JSON when its content type says JSON, as bytes otherwise (which no
    model accepts: the error handler answers 415), or :data:`MISSING`; a body that does
    not parse is a 422."""
    try:
        raw = await request.body()
        if not raw:
            return MISSING
        content_type = request.headers.get("content-type")
        return json.loads(raw) if content_type and _is_json(content_type) else raw
    except json.JSONDecodeError as error:
        detail = {
            "type": "json_invalid",
            "loc": ("body", error.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": error.msg},
        }
        raise RequestValidationError([detail], body=error.doc) from error
    except HTTPException:
        raise  # 413 from the body limit
    except Exception as error:
        raise HTTPException(
            status_code=400, detail="There was an error parsing the body"
        ) from error


def validated(model: type[Model], value: Any, errors: list[Any]) -> Model | None:
    """``value`` as ``model``; ``None``, with FastAPI's errors added to ``errors``, when
    it is missing or invalid."""
    if value is MISSING:
        errors.append({"type": "missing", "loc": ("body",), "msg": "Field required", "input": None})
        return None
    try:
        return model.model_validate(value, from_attributes=True)  # as FastAPI validates
    except ValidationError as error:
        errors.extend({**detail, "loc": ("body", *detail["loc"])} for detail in error.errors())
        return None


def json_body(model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """A dependency: the request's JSON body as ``model``.

    Unlike a body parameter, it runs where the route declares it: after the rate limit
    and the caller's rule, so only a caller who may act hears about the body.
    """

    async def body(request: Request) -> Model:
        value = await read_json(request)
        errors: list[Any] = []
        result = validated(model, value, errors)
        if result is None:
            raise RequestValidationError(errors, body=value)
        return result

    return body


def query_model(model: type[Model], request: Request) -> Model:
    """The query string as ``model`` (FastAPI's ``Annotated[model, Query()]``): a field
    that is a sequence takes every value of its name, any other field the last one, and
    a name the model does not know every value (one alone as itself); a 422 with the
    errors at ``query.<name>`` when it does not validate."""
    params = request.query_params
    sequences, known = _query_fields(model)
    values: dict[str, Any] = {}
    for name in params:
        if name in known and name not in sequences:
            values[name] = params[name]
        else:
            every = params.getlist(name)
            values[name] = every if name in sequences or len(every) > 1 else every[0]
    try:
        return model.model_validate(values, from_attributes=True)  # as FastAPI validates
    except ValidationError as error:
        errors = [{**detail, "loc": ("query", *detail["loc"])} for detail in error.errors()]
        raise RequestValidationError(errors) from None


@cache
def _query_fields(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """The query names of ``model``'s sequence fields, and of all its fields."""
    sequences, known = set(), set()
    for name, field in model.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else None
        query_name = alias or field.alias or name
        known.add(query_name)
        if _is_sequence(field.annotation):
            sequences.add(query_name)
    return frozenset(sequences), frozenset(known)


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin is None:
        return False
    return (
        isinstance(origin, type)
        and issubclass(origin, Sequence | set | frozenset)
        and not issubclass(origin, str | bytes)
    )
