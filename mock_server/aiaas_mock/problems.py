"""RFC 9457 problem details, the one shape of every error answer: the error any
layer raises (middleware, encryption, routes) and the answer it becomes.

Below the API on purpose: middleware and encryption answer with problems
without importing the routes' package. The FastAPI handlers that turn every
other error into a problem are in :mod:`aiaas_mock.api.problems`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypedDict, Unpack

from fastapi.responses import JSONResponse
from starlette.types import Scope

from aiaas.types import FieldError, Problem

from .middleware.request_id import REQUEST_ID_HEADER, request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"


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
