"""JSON request bodies: read only after the caller is authenticated, and within bounds.

FastAPI reads and parses a declared body before any dependency runs, so a request
without a token could make the server parse 50 MiB of JSON before its 401. The
routes here take their bodies through :func:`json_body` instead: a dependency that
itself depends on the caller's token, so the body is read only once the token (and
the role, declared before it) has been checked.

The decoder refuses what Python's ``json`` accepts but JSON does not (``NaN``,
``Infinity``, numbers that overflow to infinity) and documents nested deeper than
:data:`MAX_JSON_DEPTH`, each a plain 422.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.deps import get_principal
from api.errors import MAX_MESSAGE_CHARS, MAX_MESSAGES
from api.security import Principal

MAX_JSON_DEPTH = 32
NOT_JSON = "Request body is not valid JSON"
NOT_FINITE = "Request body holds NaN or Infinity; JSON numbers must be finite"
TOO_DEEP = f"Request body is nested more than {MAX_JSON_DEPTH} levels deep"

Model = TypeVar("Model", bound=BaseModel)


class _NotFinite(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 overflows to inf
        raise _NotFinite(text)
    return value


def _no_constant(text: str) -> Any:
    raise _NotFinite(text)


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (iterative: the value may be deep)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [detail])


def parse_json(raw: bytes) -> Any:
    """``raw`` as JSON; 422 when it is not JSON, not finite or too deep."""
    try:
        value = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except _NotFinite:
        raise _unprocessable(NOT_FINITE) from None
    except RecursionError:
        raise _unprocessable(TOO_DEEP) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _unprocessable(NOT_JSON) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise _unprocessable(TOO_DEEP)
    return value


def validate_body(model: type[Model], value: Any, loc: tuple[str, ...] = ("body",)
                  ) -> Model:
    """``value`` as ``model``; the errors as FastAPI reports a body (``loc`` from "body",
    or from ``loc``)."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        errors = [{**error, "loc": (*loc, *error["loc"])}
                  for error in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def json_body(model: type[Model], *, optional: bool = False
              ) -> Callable[..., Awaitable[Model]]:
    """A dependency giving the request's JSON body as ``model``, read after the token check.

    With ``optional`` an empty body (or ``null``) is ``model()``."""

    async def read(request: Request,
                   _: Annotated[Principal, Depends(get_principal)]) -> Model:
        raw = await request.body()
        if optional and not raw.strip():
            return model()
        value = parse_json(raw)
        if optional and value is None:
            return model()
        return validate_body(model, value)

    return read


def inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``#/$defs/...`` references inlined (OpenAPI has no ``$defs``)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(schema)


def body_openapi(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the JSON body (it is read by a dependency)."""
    return {"requestBody": {"required": required, "content": {
        "application/json": {"schema": inline_defs(model.model_json_schema())}}}}


def _short_input(value: Any) -> Any:
    """An echoed input as a 422 shows it: a short scalar as is, anything else clipped text."""
    if isinstance(value, bool | int) or value is None:
        return value if not isinstance(value, int) or abs(value) < 10**18 else str(value)[:40]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    text = value if isinstance(value, str) else json.dumps(value, default=str)[:400]
    return text if len(text) <= 200 else text[:197] + "..."


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for a request that fails validation, bounded: at most
    :data:`~api.errors.MAX_MESSAGES` errors, each input echo clipped to 200 characters,
    every value serialisable."""
    assert isinstance(exc, RequestValidationError)
    found = list(exc.errors())
    detail: list[dict[str, Any]] = []
    for error in found[:MAX_MESSAGES]:
        item: dict[str, Any] = {
            "type": str(error.get("type", "")),
            "loc": [part if isinstance(part, int) else str(part)[:100]
                    for part in list(error.get("loc", ()))[:20]],
            "msg": str(error.get("msg", ""))[:MAX_MESSAGE_CHARS],
        }
        if "input" in error:
            item["input"] = _short_input(error["input"])
        detail.append(item)
    if len(found) > MAX_MESSAGES:
        detail.append({"type": "too_many_errors", "loc": [],
                       "msg": f"... and {len(found) - MAX_MESSAGES:,} more errors"})
    return JSONResponse({"detail": detail}, status_code=422)
