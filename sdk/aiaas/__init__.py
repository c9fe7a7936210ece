"""aiaas: typed clients for AI models as a service in manufacturing."""

from types import ModuleType
from typing import TYPE_CHECKING

from . import inputs, system_models, types
from ._chat_stream import AsyncChatCompletionStream, ChatCompletionStream
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
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._frames import TableFile
from ._logs import setup_logging
from ._options import NOT_GIVEN, RetryPolicy
from ._pages import AsyncPage, AsyncPaginator, SyncPage
from ._raw_response import APIResponse
from ._secret import Secret
from ._streaming import AsyncStream, Stream
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
    "AsyncChatCompletionStream",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletionStream",
    "Client",
    "ClientCredentials",
    "ConflictError",
    "Credentials",
    "EncryptionError",
    "InternalServerError",
    "JobTimeoutError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "Secret",
    "Stream",
    "SyncPage",
    "TableFile",
    "UnprocessableEntityError",
    "__version__",
    "inputs",
    "oip",
    "system_models",
    "types",
]

if TYPE_CHECKING:
    from . import oip


def __getattr__(name: str) -> ModuleType:
    # The Open Inference Protocol client loads on first use: most programs
    # talk to one kind of server, and its types cost a few milliseconds to build.
    if name == "oip":
        import importlib

        return importlib.import_module(".oip", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


setup_logging()
