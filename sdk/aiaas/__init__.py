"""aiaas: typed clients for AI models as a service in manufacturing."""

from . import inputs, oip, system_models, types
from ._client import AsyncClient, Client
from ._credentials import ApiKey, ClientCredentials, Credentials
from ._exceptions import (
    AIaaSError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EncryptionError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._logs import setup_logging
from ._options import NOT_GIVEN, RetryPolicy
from ._pages import AsyncPage, AsyncPaginator, SyncPage
from ._raw_response import APIResponse
from ._secret import Secret
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "AIaaSError",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "ApiKey",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientCredentials",
    "ConflictError",
    "Credentials",
    "EncryptionError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "Secret",
    "SyncPage",
    "UnprocessableEntityError",
    "__version__",
    "inputs",
    "oip",
    "system_models",
    "types",
]

setup_logging()
