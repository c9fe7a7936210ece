"""RFC 9457 problem details: the one shape of every error answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypedDict, Unpack

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from aiaas.types import FieldError, Problem

from ..middleware.request_id import REQUEST_ID_HEADER, request_id_of

logger = logging.getLogger("aiaas_mock")

PROBLEM_MEDIA_TYPE = "application/problem+json"

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "invalid_api_key",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


class ProblemOptions(TypedDict, total=False):
    """What a problem answer may carry beyond its status, code and detail."""

    headers: Mapping[str, str]
    errors: Sequence[FieldError]
    extra: Mapping[str, Any]
    """Members added to the problem body (RFC 9457 §3.2 extensions)."""
    media_type: str


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem-details body."""

    def __init__(self, status: int, code: str, detail: str, **options: Unpack[ProblemOptions]):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.options = options

    def response(self, scope: Scope) -> JSONResponse:
        """This error as the answer to the request of ``scope``."""
        return problem_response(scope, self.status, self.code, self.detail, **self.options)


def problem_response(
    scope: Scope, status: int, code: str, detail: str, **options: Unpack[ProblemOptions]
) -> JSONResponse:
    """The problem-details answer, carrying the request's id in body and header.

    Under ``/v2`` the answer takes the Open Inference Protocol's shape instead,
    ``{"error": "..."}``, and validation failures are 400s as the protocol has them.
    """
    request_id = request_id_of(scope)
    if str(scope.get("path", "")).startswith(OIP_PREFIX):
        return _oip_error(status, detail, request_id, options.get("headers", {}))
    body = problem_body(status, code, detail, request_id, **options)
    all_headers = dict(options.get("headers", {}))
    if request_id:
        all_headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(
        body,
        status_code=status,
        headers=all_headers,
        media_type=options.get("media_type", PROBLEM_MEDIA_TYPE),
    )


def problem_body(
    status: int,
    code: str,
    detail: str,
    request_id: str | None,
    **options: Unpack[ProblemOptions],
) -> dict[str, Any]:
    """The RFC 9457 body of a problem: in an answer, or in an error event of a stream."""
    problem = Problem(
        type=f"/problems/{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        request_id=request_id,
        errors=list(options.get("errors", ())),
    )
    return {**problem.model_dump(mode="json", exclude_none=True), **options.get("extra", {})}


OIP_PREFIX = "/v2"


def _oip_error(
    status: int, detail: str, request_id: str | None, headers: Mapping[str, str]
) -> JSONResponse:
    all_headers = dict(headers)
    if request_id:
        all_headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(
        {"error": detail}, status_code=400 if status == 422 else status, headers=all_headers
    )


def field_errors(raw: Sequence[Any]) -> list[FieldError]:
    """Pydantic / FastAPI error dicts as field errors with dotted locations."""
    return [
        FieldError(
            field=".".join(str(part) for part in error.get("loc", ())) or "body",
            message=str(error.get("msg", "invalid value")),
            type=str(error.get("type")) if error.get("type") else None,
        )
        for error in raw
    ]


def field_problem(field: str, message: str, error_type: str = "value_error") -> ProblemError:
    """A 422 naming one invalid field."""
    return validation_problem([FieldError(field=field, message=message, type=error_type)])


def validation_problem(errors: list[FieldError]) -> ProblemError:
    """A 422 naming the invalid fields."""
    first = errors[0]
    detail = f"Invalid field {first.field}: {first.message}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return ProblemError(422, "validation_error", detail, errors=errors)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return exc.response(request.scope)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in raw):
        return problem_response(request.scope, 400, "invalid_json", "The body is not valid JSON.")
    return validation_problem(field_errors(raw)).response(request.scope)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES_BY_STATUS.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route {request.method} {request.url.path}."
    if exc.status_code == 400 and detail == _UNPARSABLE:
        # FastAPI's word for JSON it could not decode (bad UTF-8, nesting too deep).
        code, detail = "invalid_json", "The body is not valid JSON."
    return problem_response(request.scope, exc.status_code, code, detail, headers=exc.headers or {})


_UNPARSABLE = "There was an error parsing the body"


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Reaching this is a bug of the server; the answer still keeps the contract.
    logger.error("Unhandled error (request_id=%s)", request_id_of(request.scope), exc_info=exc)
    return problem_response(request.scope, 500, "internal_error", "The server failed.")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` answer with problem details."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
