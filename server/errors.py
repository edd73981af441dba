"""The one place where domain error codes become HTTP statuses and JSON bodies."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from erp_core.errors import ErrorCode, ErrorKind, NexusError

log = logging.getLogger("nexus.errors")

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_FAILED: 422,
    ErrorCode.UNKNOWN_NAME: 422,
    ErrorCode.AMBIGUOUS_NAME: 422,
    ErrorCode.CONTEXT_TOO_LONG: 422,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.PERIOD_CLOSED: 409,
    ErrorCode.STALE_PAYLOAD_HASH: 409,
    ErrorCode.SEGREGATION_OF_DUTIES: 403,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.LIMIT_EXCEEDED: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.BACKEND_UNAVAILABLE: 503,
    ErrorCode.BACKEND_FAILED: 502,
    ErrorCode.STORE_UNAVAILABLE: 503,
    ErrorCode.NOT_READY: 503,
    ErrorCode.INTERNAL: 500,
}


def status_for(code: ErrorCode) -> int:
    return HTTP_STATUS.get(code, 400)


# Addresses of internal services (bolt://graph:7687, mongodb://…, http://10.0.0.5:19530, a bare 10.0.0.5:5432) that
# a store or backend error names for the operator's log; end users see a placeholder instead.
_INTERNAL_ADDRESS = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>)]+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")


def public_message(err: NexusError) -> str:
    """``err.message`` as an end user may read it: infrastructure errors lose the internal addresses they name (the
    full message is logged for the operator)."""
    if err.kind is not ErrorKind.INFRA:
        return err.message
    redacted = _INTERNAL_ADDRESS.sub("<internal address>", err.message)
    if redacted != err.message:
        log.warning("%s: %s", err.code.value, err.message)
    return redacted


def error_body(err: NexusError) -> dict[str, Any]:
    body = err.as_dict()
    body["message"] = public_message(err)
    return {"error": body}


def error_response(err: NexusError, headers: dict[str, str] | None = None) -> JSONResponse:
    hdrs = dict(headers or {})
    if err.code is ErrorCode.UNAUTHENTICATED:
        hdrs.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(error_body(err), status_code=status_for(err.code), headers=hdrs)


def _request_validation_issues(exc: RequestValidationError) -> list[dict[str, Any]]:
    issues = []
    for item in exc.errors():
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        issues.append({"code": str(item.get("type", "invalid")), "message": str(item.get("msg", "invalid value")),
                       "field": ".".join(loc) or None})
    return issues


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NexusError)
    async def _nexus_error(_request: Request, exc: NexusError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = _request_validation_issues(exc)
        message = "; ".join(f"{i['field']}: {i['message']}" if i["field"] else i["message"] for i in issues[:5])
        body = {"code": ErrorCode.VALIDATION_FAILED.value, "message": message or "invalid request",
                "retryable": False, "issues": issues}
        return JSONResponse({"error": body}, status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_validation(_request: Request, exc: ValidationError) -> JSONResponse:
        # A route built a command from path/query values that the command's own model refuses (e.g. a period's
        # year out of range): the caller's input is wrong, so 422 like any other validation failure, never 500.
        issues: list[dict[str, str | None]] = [
            {"code": str(e.get("type", "invalid")), "message": str(e.get("msg", "invalid value")),
             "field": ".".join(str(p) for p in e.get("loc", ())) or None} for e in exc.errors()]
        message = "; ".join(f"{i['field']}: {i['message']}" if i["field"] else str(i["message"]) for i in issues[:5])
        body = {"code": ErrorCode.VALIDATION_FAILED.value, "message": message or "invalid request",
                "retryable": False, "issues": issues}
        return JSONResponse({"error": body}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        code = names.get(exc.status_code, "http_error")
        body = {"code": code, "message": str(exc.detail), "retryable": False}
        return JSONResponse({"error": body}, status_code=exc.status_code, headers=getattr(exc, "headers", None))
