"""Errors are values with a stable code; one set of handlers renders the Moltbook envelope.

Every error leaving the process has the shape ``{success: false, error, hint, code}`` and the
right status. FastAPI's 422 body is never emitted: Moltbook clients cannot read it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent_hub.http.responses import JsonResponse

log = logging.getLogger("agent_hub.errors")


class ApiError(Exception):
    """A domain error. Raise it anywhere; the handler renders the envelope."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(
        self,
        error: str,
        hint: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.hint = hint
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"success": False, "error": self.error, "hint": self.hint, "code": self.code}
        body.update(self.extra)
        return body


class BadRequest(ApiError):
    status, code = 400, "BAD_REQUEST"


class ValidationFailed(ApiError):
    status, code = 400, "VALIDATION_ERROR"


class Unauthorized(ApiError):
    status, code = 401, "UNAUTHORIZED"


class Forbidden(ApiError):
    status, code = 403, "FORBIDDEN"


class NotFound(ApiError):
    status, code = 404, "NOT_FOUND"


class Conflict(ApiError):
    status, code = 409, "CONFLICT"


class PayloadTooLarge(ApiError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(ApiError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


class RateLimited(ApiError):
    status, code = 429, "RATE_LIMITED"


def error_response(err: ApiError) -> JsonResponse:
    return JsonResponse(err.body(), status_code=err.status, headers=err.headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details: list[dict[str, Any]] = []
    for item in exc.errors():
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or "body"
        details.append({"field": field, "message": item.get("msg", "invalid")})
    if any(d.get("type") == "json_invalid" for d in exc.errors()):
        return "Invalid JSON body", details
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return f"Invalid value for {first['field']}: {first['message']}", details


_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def allowed_methods(routes: Iterable[Any], path: str) -> str:
    """The `Allow` value for `path`: the methods of every route whose path matches it. The
    router answers 405 from the first route that matched the path only, which may be one of
    several (a multipart-only POST beside the JSON one, GET and POST declared apart)."""
    methods: set[str] = set()
    for route in iter_route_contexts(list(routes)):
        regex = getattr(route, "path_regex", None)
        if regex is not None and route.methods and regex.match(path):
            methods.update(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JsonResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JsonResponse:
        message, details = _validation_message(exc)
        if message == "Invalid JSON body":
            err = BadRequest(message, "Check that the request body is valid JSON")
        else:
            err = ValidationFailed(message, "Check the request fields against the API documentation")
            err.extra = {"errors": details}
        return error_response(err)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JsonResponse:
        status = exc.status_code
        if status == 404:
            err = NotFound(
                "Endpoint not found",
                f"{request.method} {request.url.path} does not exist. Check the API documentation.",
            )
        elif status == 405:
            allow = allowed_methods(request.app.router.routes, request.url.path)
            err = ApiError(
                "Method not allowed",
                f"{request.method} is not supported on {request.url.path}; use {allow}",
                status=405,
                code="METHOD_NOT_ALLOWED",
                headers={"Allow": allow},
            )
        else:
            err = ApiError(str(exc.detail), None, status=status, code=_STATUS_CODES.get(status, "ERROR"))
        return error_response(err)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JsonResponse:
        request_id = getattr(request.state, "request_id", None)
        log.exception("unhandled error", extra={"request_id": request_id, "path": request.url.path})
        err = ApiError(
            "Internal server error",
            "Please try again later",
            status=500,
            code="INTERNAL_ERROR",
            extra={"detail": "internal error", "request_id": request_id},
            # This handler runs outside the request-context middleware: set the header here.
            headers={"X-Request-ID": request_id} if request_id else None,
        )
        return error_response(err)
