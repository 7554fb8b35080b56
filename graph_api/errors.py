"""One handler map: every failure leaves the server as the same JSON shape

    {"error": "<code>", "message": "<what to do>", "details": {...}}

Project errors (``VawgError``) carry their own status; FastAPI's request
validation becomes 422 naming the parameter (and the allowed values when the
parameter is an enum); anything unexpected becomes a generic 500 and is
logged here, so no stack trace or file path reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, NotFoundError, QueryParseError,
                            QueryTimeoutError, ResultTooLargeError, StoreError, StoreUnavailableError,
                            VawgError)

log = logging.getLogger("vawg_kg.graph_api")


class InvalidParameterError(VawgError):
    """A query parameter has a value the API does not know (names the parameter and allowed values)."""

    status = 422
    code = "invalid_parameter"


class NotAcceptableError(VawgError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaTypeError(VawgError):
    status = 415
    code = "unsupported_media_type"


class RequestTooLargeError(VawgError):
    status = 413
    code = "request_too_large"


class UriTooLongError(VawgError):
    status = 414
    code = "uri_too_long"


_HTTP_CODES = {429: "too_many_requests", 400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
               413: "request_too_large", 414: "uri_too_long", 415: "unsupported_media_type"}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details or {}}


def error_response(exc: VawgError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, _jsonable(exc.details)), status_code=exc.status,
                        headers=headers)


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[key] = [v if isinstance(v, (str, int, float, bool)) else _jsonable(v) if isinstance(v, dict)
                        else str(v) for v in value]
        elif isinstance(value, dict):
            out[key] = _jsonable(value)
        else:
            out[key] = str(value)
    return out


def request_id(request: Request) -> str:
    """The id the request guard gave this request (``X-Request-Id``), for logs and error bodies."""
    return str(getattr(request.state, "request_id", "") or "-")


async def _vawg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VawgError)
    return await vawg_error_response(request, exc)


async def vawg_error_response(request: Request, exc: VawgError) -> JSONResponse:
    """The response for a project error (logged when it is the server's fault or carries internal text)."""
    rid = request_id(request)
    if exc.status >= 500 or exc.internal:
        # Text from elsewhere (a store's message, a worker's error output) stays in the log.
        log.warning("[%s] %s %s -> %s: %s%s", rid, request.method, request.url.path, exc.status, exc.message,
                    f" | {exc.internal}" if exc.internal else "")
    details = _jsonable(exc.details)
    if exc.status >= 500:
        details["request_id"] = rid
    retry = exc.details.get("retry_after_s")
    headers = {"Retry-After": str(int(retry))} if isinstance(retry, (int, float)) else None
    return JSONResponse(error_body(exc.code, exc.message, details), status_code=exc.status, headers=headers)


_LOCATIONS = ("query", "path", "body", "header", "cookie", "form")


def _split_loc(loc: Any) -> tuple[str, list[str]]:
    parts = [str(p) for p in loc or ()]
    if parts and parts[0] in _LOCATIONS:
        return parts[0], parts[1:]
    return "query", parts


def _validation_message(errors: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    first = errors[0] if errors else {}
    # loc[0] is where the value came from; the rest is its name, which may itself be
    # "query" (POST /cypher's field), so only the first element is a location.
    where, loc = _split_loc(first.get("loc", ()))
    param = ".".join(loc) or "request"
    ctx = first.get("ctx") or {}
    details: dict[str, Any] = {"parameter": param, "location": where}
    if "input" in first and isinstance(first["input"], (str, int, float)):
        details["value"] = str(first["input"])[:200]
    expected = ctx.get("expected")
    if first.get("type") == "enum" and expected:
        allowed = [a.strip().strip("'") for a in str(expected).replace(" or ", ",").split(",") if a.strip()]
        details["allowed"] = allowed
        message = f"parameter {param!r}: {details.get('value', '')!r} is not one of {', '.join(allowed)}"
    else:
        message = f"parameter {param!r}: {first.get('msg', 'invalid value')}"
    if len(errors) > 1:
        details["other_errors"] = [
            ".".join(_split_loc(e.get("loc", ()))[1]) + ": " + str(e.get("msg"))
            for e in errors[1:5]]
    return message, details


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, details = _validation_message(list(exc.errors()))
    return JSONResponse(error_body("invalid_parameter", message, details), status_code=422)


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404 and exc.detail in (None, "Not Found"):
        message = f"no resource at {request.url.path[:200]}; see / for the list of endpoints"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path[:200]}"
    else:
        message = str(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        # Starlette's Allow names the methods of the first route on the path only (GET and POST
        # /queries/{name} are two routes); list every route's.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers or None)


def _allowed_methods(request: Request) -> list[str]:
    path = request.url.path
    methods: set[str] = set()
    stack = list(request.app.router.routes)
    while stack:
        route = stack.pop()
        # included routers (FastAPI >= 0.16x wraps them) hold their own routes
        inner = getattr(getattr(route, "original_router", None), "routes", None) or getattr(route, "routes", None)
        if inner:
            stack.extend(inner)
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    rid = request_id(request)
    log.exception("[%s] unexpected error in %s %s", rid, request.method, request.url.path)
    return JSONResponse(error_body("internal_error", "the server hit an unexpected error; it has been logged",
                                   {"request_id": rid}), status_code=500)


HANDLERS = {
    VawgError: _vawg_error,
    RequestValidationError: _request_validation,
    StarletteHTTPException: _http_exception,
    Exception: _unexpected,
}


def install(app: FastAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)


# --- declared error responses, so they appear in the OpenAPI document -------------------

class ApiError(BaseModel):
    """The one error shape."""

    error: str = Field(description="machine-readable code, e.g. not_found, invalid_parameter")
    message: str = Field(description="what went wrong and what to do about it")
    details: dict[str, Any] = Field(default_factory=dict, description="the parameter, value, allowed values...")


def responses(*errors: type[VawgError] | int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: each error class (or bare status) with the error shape.

    422 is always declared with our shape, replacing FastAPI's default validation schema.
    """
    out: dict[int | str, dict[str, Any]] = {}
    for err in (*errors, InvalidParameterError):
        status = err if isinstance(err, int) else err.status
        desc = _HTTP_CODES.get(status, "error") if isinstance(err, int) else (
            (err.__doc__ or err.code).strip().splitlines()[0])
        prior = out.get(status)
        if prior is not None and desc in prior["description"]:
            continue
        out[status] = {"description": desc if prior is None else f"{prior['description']}; {desc}",
                       "model": ApiError}
    return out


def media(*types: str, description: str = "the resource in the negotiated or requested format") -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entry for a 200 that comes in several media types."""
    return {200: {"description": description, "content": {t: {} for t in types}}}


def document_request_limits(app: Any) -> None:
    """Declare the request guard's 413 and 414 (security.GuardMiddleware) on every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return dict(app.openapi_schema)
        schema: dict[str, Any] = build()
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        for item in schema.get("paths", {}).values():
            for op in item.values():
                if isinstance(op, dict) and "responses" in op:
                    op["responses"].setdefault("413", {"description": "the request body is too large", "content": ref})
                    op["responses"].setdefault("414", {"description": "the query string is too long", "content": ref})
                    # The HTTP server (h11) refuses a request head over its limit with a plain-text 400 before
                    # the API sees it; under that the guard's JSON 414 applies.
                    bad = op["responses"].setdefault("400", {"description": "bad request", "content": dict(ref)})
                    bad.setdefault("content", dict(ref))["text/plain"] = {"schema": {"type": "string"}}
        return schema

    app.openapi = openapi


__all__ = ["BadRequestError", "ForbiddenQueryError", "NotFoundError", "QueryParseError", "QueryTimeoutError",
           "ResultTooLargeError", "StoreError", "StoreUnavailableError", "VawgError", "InvalidParameterError",
           "NotAcceptableError", "UnsupportedMediaTypeError", "RequestTooLargeError", "UriTooLongError",
           "error_body", "error_response", "install", "responses", "media", "document_request_limits", "ApiError", "log"]
