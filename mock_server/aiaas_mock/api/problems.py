"""Problem details in the API: 422s that name fields, and the handlers that turn
every error of the app into a problem (see :mod:`aiaas_mock.problems`)."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from aiaas.types import FieldError

from ..middleware.request_id import request_id_of
from ..problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    ProblemOptions,
    problem_body,
    problem_response,
)

logger = logging.getLogger("aiaas_mock")

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemError",
    "ProblemOptions",
    "field_errors",
    "field_problem",
    "install_problem_handlers",
    "problem_body",
    "problem_response",
    "validation_problem",
]

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


SHOWN_ERRORS = 5
"""Invalid fields the detail names; ``errors`` lists them all."""


def _misspelled(errors: list[FieldError]) -> dict[str, str]:
    """Unknown fields that look like a missing one of the same object (another
    case, a typo): the unknown field's location → the expected name."""
    missing: dict[str, list[str]] = {}
    for error in errors:
        if error.type == "missing":
            parent, _, name = error.field.rpartition(".")
            missing.setdefault(parent, []).append(name)
    guesses = {}
    for error in errors:
        if error.type != "extra_forbidden":
            continue
        parent, _, name = error.field.rpartition(".")
        candidates = {candidate.lower(): candidate for candidate in missing.get(parent, [])}
        close = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.75)
        if close:
            guesses[error.field] = candidates[close[0]]
    return guesses


def validation_problem(errors: list[FieldError]) -> ProblemError:
    """A 422 naming every invalid field (the first few in the detail); an unknown
    field that looks like a missing one is named with the name expected."""
    guesses = _misspelled(errors)
    replaced = {f"{field.rpartition('.')[0]}.{name}" for field, name in guesses.items()}
    parts = []
    for error in errors:
        if error.field in guesses:
            parts.append(f"{error.field}: not a field; did you mean '{guesses[error.field]}'?")
        elif error.field not in replaced or error.type != "missing":
            parts.append(f"{error.field}: {error.message}")
    noun = "field" if len(parts) == 1 else "fields"
    detail = f"Invalid {noun} " + "; ".join(parts[:SHOWN_ERRORS])
    if len(parts) > SHOWN_ERRORS:
        detail += f" (and {len(parts) - SHOWN_ERRORS} more)"
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


async def _on_disconnect(request: Request, exc: Exception) -> JSONResponse:
    # Not the server's fault and nobody is left to answer: one line, no traceback.
    logger.info(
        "The client went away before its request was read (request_id=%s, %s %s)",
        request_id_of(request.scope),
        request.method,
        request.url.path,
    )
    return problem_response(
        request.scope, 400, "client_disconnected", "The client went away mid-request."
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` answer with problem details."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(ClientDisconnect, _on_disconnect)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
