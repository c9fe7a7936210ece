"""How a kind of server says "try again" and "this failed": the aiaas service's
problem details, or another protocol's (the Open Inference Protocol's engines).
Pure functions chosen per client; no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ._exceptions import APIStatusError
from ._response import status_error
from ._retry import is_retryable_response
from ._secret import Secret

__all__ = ["AIAAS_DIALECT", "Dialect"]


@dataclass(frozen=True)
class Dialect:
    is_retryable: Callable[[httpx.Response], bool]
    """Whether an answer says the same request may succeed later."""
    status_error: Callable[[httpx.Response, tuple[Secret, ...]], APIStatusError]
    """The typed error for an error answer; its text never holds the secrets."""
    accept: str = "application/json"


AIAAS_DIALECT = Dialect(is_retryable_response, status_error)
