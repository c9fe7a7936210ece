"""What both gRPC clients decide without doing any I/O: where and how to connect,
which credentials to send, whether a failed call is tried again and after how
long, and which SDK error a gRPC status becomes.

gRPC status codes become the SDK's errors by the mapping gRPC documents for
HTTP gateways (``INVALID_ARGUMENT`` 400, ``NOT_FOUND`` 404, ``RESOURCE_EXHAUSTED``
429, ...), so ``except aiaas.NotFoundError`` reads the same over both transports;
``UNAVAILABLE`` is :class:`aiaas.APIConnectionError` (grpcio reports a server it
cannot reach so) and ``DEADLINE_EXCEEDED`` is :class:`aiaas.APITimeoutError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx

from .._credentials import ApiKey, ClientCredentials, Credentials, NoCredentials
from .._exceptions import APIConnectionError, APIError, APITimeoutError
from .._options import RetryPolicy
from .._response import error_class
from .._retry import backoff_seconds
from .._secret import Secret, redact
from .._transport_security import is_loopback

SERVICE = "inference.GRPCInferenceService"

# https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md, the
# other way round: the HTTP status whose SDK error a gRPC status raises.
_HTTP_STATUS = {
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED})
"""Codes a server sends before it has done anything: trying again is safe."""
MAX_MESSAGE_BYTES = 256 << 20


@dataclass(frozen=True)
class Settings:
    """A gRPC client's connection, as both drivers use it."""

    target: str
    """``host:port``, as grpcio takes it."""
    tls: bool
    root_certificates: bytes | None
    credentials: Credentials
    metadata: tuple[tuple[str, str], ...]
    timeout: float
    max_retries: int
    deadline: float | None
    retry_policy: RetryPolicy
    max_message_bytes: int

    @property
    def channel_options(self) -> list[tuple[str, int]]:
        return [
            ("grpc.max_send_message_length", self.max_message_bytes),
            ("grpc.max_receive_message_length", self.max_message_bytes),
        ]

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(root_certificates=self.root_certificates)

    @property
    def token_auth(self) -> httpx.Auth | None:
        """The auth flow that buys OAuth access tokens, for credentials that need one."""
        if isinstance(self.credentials, ClientCredentials):
            assert self.credentials.token_url is not None
            return self.credentials.auth_for(self.credentials.token_url)
        return None

    def call_metadata(self, authorization: str | None) -> tuple[tuple[str, str], ...]:
        if authorization is None:
            return self.metadata
        return (*self.metadata, ("authorization", authorization))

    def secrets(self) -> tuple[Secret, ...]:
        return self.credentials.secrets()


def settings(
    target: str,
    *,
    api_key: str | Secret | None,
    credentials: Credentials | None,
    verify: bool | str | Path | bytes,
    metadata: Mapping[str, str] | None,
    timeout: float,
    max_retries: int,
    deadline: float | None,
    retry_policy: RetryPolicy | None,
    allow_insecure: bool,
    max_message_bytes: int,
) -> Settings:
    """The settings of a client of ``target``: ``host:port``, ``grpc://host:port``
    (plain text) or ``grpcs://host:port`` (TLS); without a scheme, plain text to
    this machine and TLS to any other."""
    if api_key is not None and credentials is not None:
        raise ValueError("pass either credentials= or api_key=, not both")
    if credentials is None:
        credentials = ApiKey(api_key) if api_key is not None else NoCredentials()
    if isinstance(credentials, ClientCredentials) and credentials.token_url is None:
        raise ValueError("ClientCredentials over gRPC need their token_url (an https:// URL)")
    scheme, _, address = target.rpartition("://")
    if scheme not in ("", "grpc", "grpcs") or not address:
        raise ValueError(f"target {target!r} must be host:port, grpc://host:port or grpcs://...")
    host = address.rsplit(":", 1)[0] if ":" in address.strip("[]") else address
    tls = scheme == "grpcs" or (scheme == "" and not is_loopback(host))
    if not tls and not allow_insecure and not is_loopback(host):
        raise ValueError(
            f"plain-text gRPC to {host} sends credentials and data unencrypted; "
            "use grpcs:// or pass allow_insecure=True"
        )
    if verify is False:
        raise ValueError("gRPC cannot skip certificate checks; give verify= a CA bundle")
    roots = None if verify is True else verify if isinstance(verify, bytes) else Path(verify)
    if isinstance(roots, Path):
        roots = roots.read_bytes()
    if timeout <= 0 or max_retries < 0:
        raise ValueError("timeout must be positive and max_retries not negative")
    return Settings(
        target=address,
        tls=tls,
        root_certificates=roots,
        credentials=credentials,
        metadata=tuple((name.lower(), value) for name, value in (metadata or {}).items()),
        timeout=float(timeout),
        max_retries=max_retries,
        deadline=deadline,
        retry_policy=retry_policy or RetryPolicy(),
        max_message_bytes=max_message_bytes,
    )


def static_authorization(credentials: Credentials) -> str | None:
    """The ``authorization`` value of credentials that need no token request."""
    if isinstance(credentials, ApiKey):
        return f"Bearer {credentials.secrets()[0].reveal()}"
    return None


class Attempts:
    """One call's attempts: the time each may take and whether another follows."""

    def __init__(self, settings: Settings, clock: float | None = None) -> None:
        self._settings = settings
        self._started = time.monotonic() if clock is None else clock
        self.retries = 0

    def timeout(self, now: float | None = None) -> float:
        """Seconds the next attempt may take: the timeout, within the deadline."""
        deadline = self._settings.deadline
        if deadline is None:
            return self._settings.timeout
        left = deadline - ((time.monotonic() if now is None else now) - self._started)
        return max(0.001, min(self._settings.timeout, left))

    def wait_before_retry(
        self, code: grpc.StatusCode, details: str | None, rand: float, now: float | None = None
    ) -> float | None:
        """Seconds to wait before trying again after ``code``; ``None``: do not."""
        settings = self._settings
        if code not in RETRYABLE or self.retries >= settings.max_retries:
            return None
        if "larger than max" in (details or ""):
            return None  # grpcio's own RESOURCE_EXHAUSTED for a message too large: no use
        self.retries += 1
        wait = backoff_seconds(self.retries, settings.retry_policy, rand)
        if settings.deadline is not None:
            spent = (time.monotonic() if now is None else now) - self._started
            if spent + wait >= settings.deadline:
                return None
        return wait


def status_error(
    settings: Settings, method: str, code: grpc.StatusCode, details: str | None
) -> APIError:
    """The SDK's error for a call that ended with ``code`` and the server's ``details``."""
    scheme = "grpcs" if settings.tls else "grpc"
    request = httpx.Request("POST", f"{scheme}://{settings.target}/{SERVICE}/{method}")
    text = redact(f"{code.name}: {details or 'no details'}", settings.secrets())
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return APITimeoutError(f"{method} timed out ({text})", request=request)
    if code is grpc.StatusCode.UNAVAILABLE:
        return APIConnectionError(f"{method} failed: {text}", request=request)
    status = _HTTP_STATUS.get(code, 500)
    response = httpx.Response(
        status, headers={"grpc-status": str(code.value[0])}, text=text, request=request
    )
    return error_class(status)(f"{status} {text}", response=response, body=None)
