"""Reading answers: success bodies into typed models, errors into exceptions."""

from __future__ import annotations

import json
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ._constants import REQUEST_ID_HEADER
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    request_id_of,
)
from ._secret import Secret, redact
from .types.api_object import APIObject
from .types.problem import Problem

__all__ = ["connection_error", "parse_body", "status_error"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_ERROR_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status."""
    if status_code >= 500:
        return InternalServerError
    return _ERROR_CLASSES.get(status_code, APIStatusError)


def parse_body(response: httpx.Response, cast_to: type[ModelT]) -> ModelT:
    """The success body of ``response`` as ``cast_to``."""
    try:
        parsed = cast_to.model_validate_json(response.content)
    except ValidationError as exc:
        raise APIResponseValidationError(
            f"{response.status_code} answer did not match {cast_to.__name__}: "
            f"{exc.error_count()} error(s), first: {exc.errors()[0]['msg']}",
            response=response,
            body=None,
        ) from None
    if isinstance(parsed, APIObject):
        parsed._request_id = response.headers.get(REQUEST_ID_HEADER)
    return parsed


def problem_code(response: httpx.Response) -> str | None:
    """The ``code`` of a problem-details answer, without validating the rest."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def parse_problem(response: httpx.Response) -> Problem | None:
    """The problem-details body of an error answer, if it has one."""
    try:
        return Problem.model_validate_json(response.content)
    except ValidationError:
        return None


def status_error(response: httpx.Response, secrets: tuple[Secret, ...] = ()) -> APIStatusError:
    """The exception for an error answer; its text never holds any of ``secrets``."""
    body = parse_problem(response)
    if body is not None:
        summary = f"{body.code}: {body.detail or body.title}"
    else:
        summary = response.reason_phrase or "error"
    request_id = request_id_of(response, body)
    message = f"{response.status_code} {summary}"
    if request_id:
        message += f" (request_id={request_id})"
    return error_class(response.status_code)(redact(message, secrets), response=response, body=body)


def connection_error(
    exc: httpx.TransportError, request: httpx.Request, secrets: tuple[Secret, ...] = ()
) -> APIConnectionError:
    """The exception for a request that got no answer."""
    where = f"{request.method} {request.url.copy_with(query=None)}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            redact(f"{where} timed out ({type(exc).__name__})", secrets), request=request
        )
    detail = redact(str(exc) or type(exc).__name__, secrets)
    return APIConnectionError(f"{where} failed: {detail}", request=request)
