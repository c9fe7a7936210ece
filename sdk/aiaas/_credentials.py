"""Credentials the client sends with every request, and how they are found."""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping

import httpx

from ._constants import API_KEY_ENV
from ._exceptions import AIaaSError
from ._secret import Secret

__all__ = ["ApiKey", "Credentials", "resolve_credentials"]


class Credentials(httpx.Auth):
    """Base class of credential types: an httpx auth flow that knows its secrets."""

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values to scrub from any text the SDK produces."""
        return ()


class ApiKey(Credentials):
    """A static API key (``aiaas_sk_...``) sent as a bearer token."""

    def __init__(self, key: str | Secret) -> None:
        self._key = key if isinstance(key, Secret) else Secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def secrets(self) -> tuple[Secret, ...]:
        return (self._key,)

    def __repr__(self) -> str:
        return "ApiKey(<redacted>)"


def resolve_credentials(
    credentials: Credentials | None,
    api_key: str | Secret | None,
    environ: Mapping[str, str] = os.environ,
) -> Credentials:
    """The credentials to use: an explicit argument first, then the environment.

    Raises :class:`AIaaSError` naming what to set when nothing is found.
    """
    if credentials is not None and api_key is not None:
        raise AIaaSError("pass either credentials= or api_key=, not both")
    if credentials is not None:
        return credentials
    if api_key is not None:
        return ApiKey(api_key)
    from_env = environ.get(API_KEY_ENV)
    if from_env:
        return ApiKey(from_env)
    raise AIaaSError(
        f"no credentials: pass api_key= or credentials= to the client, or set {API_KEY_ENV}"
    )
