"""The errors the SDK raises; every one derives from :class:`AIaaSError`.

AIaaSError
├── APIError                      the service answered with an error status
│   ├── BadRequestError           400
│   ├── AuthenticationError       401
│   ├── PermissionDeniedError     403
│   ├── NotFoundError             404
│   ├── ConflictError             409
│   ├── UnprocessableEntityError  422
│   ├── RateLimitError            429
│   ├── InternalServerError       5xx
│   └── APIResponseValidationError  a success answer of the wrong shape
├── APIConnectionError            no answer at all
│   └── APITimeoutError
└── EncryptionError               a sealed payload could not be made or opened
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
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EncryptionError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class AIaaSError(Exception):
    """Base class of every error raised by the SDK."""


class APIError(AIaaSError):
    """The service answered with an error status.

    ``code`` is the stable snake_case identifier from the problem body; branch on it
    rather than on the message.
    """

    status_code: int
    code: str | None
    request_id: str | None
    body: Problem | None
    response: httpx.Response

    def __init__(self, message: str, *, response: httpx.Response, body: Problem | None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.code = body.code if body is not None else None
        self.request_id = request_id_of(response, body)

    @property
    def message(self) -> str:
        return str(self)


class BadRequestError(APIError):
    """400: the request is malformed (bad cursor, bad encryption envelope, ...)."""


class AuthenticationError(APIError):
    """401: credentials are missing, unknown, revoked or expired."""


class PermissionDeniedError(APIError):
    """403: the credentials lack the scope the operation needs."""


class NotFoundError(APIError):
    """404: no such resource, or it belongs to another tenant."""


class ConflictError(APIError):
    """409: the request conflicts with the resource's state."""


class UnprocessableEntityError(APIError):
    """422: the request is well-formed but its content is invalid."""


class RateLimitError(APIError):
    """429: too many requests; retried automatically before this is raised."""


class InternalServerError(APIError):
    """5xx: the service failed; retried automatically before this is raised."""


class APIResponseValidationError(APIError):
    """The service answered with a success status but a body the SDK cannot read."""


class APIConnectionError(AIaaSError):
    """No answer was received: the connection failed or broke off."""

    request: httpx.Request

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """No answer arrived within the timeout or the call's deadline."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class EncryptionError(AIaaSError):
    """An encrypted payload could not be sealed or opened."""


def request_id_of(response: httpx.Response, body: Problem | None) -> str | None:
    """The id the service gave the request: from the problem body, else the header."""
    return (body.request_id if body is not None else None) or response.headers.get(
        REQUEST_ID_HEADER
    )
