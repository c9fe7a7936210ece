"""Reading answers: success bodies into typed models, errors into exceptions."""

from __future__ import annotations

import json
import ssl
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
from ._transport_security import is_loopback
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
    return APIConnectionError(f"{where} failed: {detail}{_hint(exc, request.url)}", request=request)


def _hint(exc: httpx.TransportError, url: httpx.URL) -> str:
    """What to do about a request that got no answer, where the cause says."""
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    if is_certificate_failure(exc):
        return (
            f". {origin}'s certificate is not trusted here: pass verify= the CA file "
            "(aiaas-mock serve --tls prints it) or set SSL_CERT_FILE"
        )
    if isinstance(exc, httpx.ConnectError) and "refused" in str(exc).lower():
        if is_loopback(url.host):
            port = url.port or (443 if url.scheme == "https" else 80)
            return (
                f". Nothing listens on {origin}: start a local server with "
                f"`aiaas-mock serve --port {port}`, or point AIAAS_BASE_URL (or "
                "base_url=) at yours"
            )
        return f". Nothing listens on {origin}: check AIAAS_BASE_URL (or base_url=)"
    return ""


def is_certificate_failure(exc: BaseException) -> bool:
    """A TLS certificate that did not verify, anywhere in ``exc``'s chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # chains can be cyclic
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
