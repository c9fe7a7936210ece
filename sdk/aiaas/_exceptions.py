"""The errors the SDK raises; every one derives from :class:`AIaaSError`.

AIaaSError
├── APIError                        a call to the service failed: .message, .request,
│   │                               .code, .request_id, .body (the Problem, if any)
│   ├── APIStatusError              the service answered with an error status:
│   │   │                           .status_code, .response
│   │   ├── BadRequestError           400
│   │   ├── AuthenticationError       401
│   │   ├── PermissionDeniedError     403
│   │   ├── NotFoundError             404
│   │   ├── ConflictError             409
│   │   ├── UnprocessableEntityError  422
│   │   ├── RateLimitError            429
│   │   └── InternalServerError       5xx
│   ├── APIConnectionError          no answer at all
│   │   └── APITimeoutError
│   └── APIResponseValidationError  a success answer the SDK cannot read:
│                                   .status_code, .response
├── EncryptionError                 a sealed payload could not be made or opened
└── JobTimeoutError                 a job did not finish within a wait's timeout

``except aiaas.APIError`` catches every failed call, timeouts included; the
request id is derived once, in :func:`request_id_of`.
"""

from __future__ import annotations

import httpx

from ._constants import REQUEST_ID_HEADER
from .types.problem import Problem

__all__ = [
    "AIaaSError",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EncryptionError",
    "InternalServerError",
    "JobTimeoutError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class AIaaSError(Exception):
    """Base class of every error raised by the SDK."""


class APIError(AIaaSError):
    """A call to the service failed: it answered with an error, answered with
    something unreadable, or did not answer.

    ``code`` is the stable snake_case identifier from the problem body (``None``
    without one); branch on it rather than on the message.
    """

    request: httpx.Request | None
    body: Problem | None
    code: str | None
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None,
        body: Problem | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.body = body
        self.code = body.code if body is not None else None
        self.request_id = request_id

    @property
    def message(self) -> str:
        return str(self)


class _AnsweredError(APIError):
    """A failed call that got an answer: its status and the response itself."""

    status_code: int
    response: httpx.Response

    def __init__(
        self, message: str, *, response: httpx.Response, body: Problem | None = None
    ) -> None:
        super().__init__(
            message,
            request=_request_of(response),
            body=body,
            request_id=request_id_of(response, body),
        )
        self.response = response
        self.status_code = response.status_code


class APIStatusError(_AnsweredError):
    """The service answered with an error status."""


class BadRequestError(APIStatusError):
    """400: the request is malformed (bad cursor, bad encryption envelope, ...)."""


class AuthenticationError(APIStatusError):
    """401: credentials are missing, unknown, revoked or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials lack the scope the operation needs."""


class NotFoundError(APIStatusError):
    """404: no such resource, or it belongs to another tenant."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed but its content is invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically before this is raised."""


class InternalServerError(APIStatusError):
    """5xx: the service failed; retried automatically before this is raised."""


class APIResponseValidationError(_AnsweredError):
    """The service answered with a success status but a body the SDK cannot read."""


class APIConnectionError(APIError):
    """No answer was received: the connection failed or broke off."""

    request: httpx.Request

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """No answer arrived within the timeout or the call's deadline."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class EncryptionError(AIaaSError):
    """An encrypted payload could not be sealed or opened."""


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built by hand, never sent
        return None


def request_id_of(response: httpx.Response, body: Problem | None) -> str | None:
    """The id the service gave the request: from the problem body, else the header."""
    return (body.request_id if body is not None else None) or response.headers.get(
        REQUEST_ID_HEADER
    )


class JobTimeoutError(AIaaSError):
    """A job was still running when ``wait`` ran out of time. The job goes on;
    ``job`` is its last state seen, and waiting again resumes."""

    def __init__(self, job_id: str, status: str, progress: float, waited: float) -> None:
        super().__init__(
            f"job {job_id} is still {status} ({progress:.0%} done) after {waited:.1f} s"
        )
        self.job_id = job_id
        self.status = status
        self.progress = progress
