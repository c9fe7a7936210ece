"""The settings of a client, resolved once from arguments and the environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from ._constants import BASE_URL_ENV, DEFAULT_BASE_URL
from ._credentials import Credentials
from ._dialect import AIAAS_DIALECT, Dialect
from ._encryption import Encryption
from ._exceptions import AIaaSError

__all__ = ["NOT_GIVEN", "ClientOptions", "NotGiven", "RetryPolicy", "TimeoutTypes"]


class NotGiven:
    """Marks an argument the caller left out, where ``None`` has a meaning of its own."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

TimeoutTypes = float | httpx.Timeout


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts.

    The n-th retry waits ``initial_delay * 2 ** (n - 1)`` seconds, capped at
    ``max_delay`` and reduced by up to ``jitter`` (a fraction) at random. A server's
    ``Retry-After`` replaces that wait; one longer than ``max_retry_after`` ends the
    retries at once, since waiting less would only be refused again.
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.initial_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("retry delays must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must lie between 0 and 1")


@dataclass(frozen=True)
class ClientOptions:
    """Everything that decides how a client builds, sends and retries a request."""

    base_url: httpx.URL
    credentials: Credentials = field(repr=False)
    timeout: httpx.Timeout
    max_retries: int
    deadline: float | None
    default_headers: Mapping[str, str]
    retry_policy: RetryPolicy
    allow_insecure_http: bool = False
    encryption: Encryption = field(default_factory=Encryption)
    dialect: Dialect = field(default_factory=lambda: AIAAS_DIALECT)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError("deadline must be positive, or None for no deadline")
        if self.base_url.scheme not in ("http", "https"):
            raise AIaaSError(f"base_url must be an http(s) URL, got {str(self.base_url)!r}")

    def replace(self, **changes: Any) -> ClientOptions:
        """A copy with the given fields changed; ``NOT_GIVEN`` values are ignored."""
        given = {name: value for name, value in changes.items() if value is not NOT_GIVEN}
        if "timeout" in given:
            given["timeout"] = as_timeout(given["timeout"])
        if "base_url" in given:
            given["base_url"] = httpx.URL(given["base_url"])
        return dataclasses.replace(self, **given)


def as_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """An ``httpx.Timeout`` from seconds or an ``httpx.Timeout``."""
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def resolve_base_url(
    base_url: str | httpx.URL | None, environ: Mapping[str, str], from_profile: str | None = None
) -> httpx.URL:
    """The argument if given, else ``AIAAS_BASE_URL``, else the credentials profile's,
    else the local mock's address.
    """
    return httpx.URL(base_url or environ.get(BASE_URL_ENV) or from_profile or DEFAULT_BASE_URL)
