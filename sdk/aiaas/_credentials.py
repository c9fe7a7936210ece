"""Credential types: what a client proves its identity with."""

from __future__ import annotations

import base64
import threading
from collections.abc import Generator, Iterable
from urllib.parse import quote

import httpx

from ._request import build_url
from ._secret import Secret
from ._token_session import TokenSession

__all__ = ["ApiKey", "ClientCredentials", "Credentials", "NoCredentials"]

TOKEN_PATH = "/v1/oauth/token"  # noqa: S105 (a path, not a password)


class Credentials:
    """Base class of credential types."""

    def auth_for(self, base_url: httpx.URL) -> httpx.Auth:
        """The httpx auth flow for a client of the service at ``base_url``."""
        raise NotImplementedError

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values to scrub from any text the SDK produces."""
        return ()


class NoCredentials(Credentials, httpx.Auth):
    """No credentials: for servers that need none, or whose auth headers are set
    by the caller (``default_headers``)."""

    def auth_for(self, base_url: httpx.URL) -> httpx.Auth:
        return self

    def __repr__(self) -> str:
        return "NoCredentials()"


class ApiKey(Credentials, httpx.Auth):
    """A static API key (``aiaas_sk_...``) sent as a bearer token."""

    def __init__(self, key: str | Secret) -> None:
        self._key = key if isinstance(key, Secret) else Secret(key)

    def auth_for(self, base_url: httpx.URL) -> httpx.Auth:
        return self

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def secrets(self) -> tuple[Secret, ...]:
        return (self._key,)

    def __repr__(self) -> str:
        return "ApiKey(<redacted>)"


class ClientCredentials(Credentials):
    """An OAuth 2.0 client (RFC 6749 §4.4): the client id and secret buy short-lived
    access tokens, which are cached and renewed before they expire.

    ``token_url`` defaults to ``/v1/oauth/token`` under the client's ``base_url``.
    Clients that share one ``ClientCredentials`` object share its tokens.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | Secret,
        *,
        scopes: Iterable[str] = (),
        token_url: str | httpx.URL | None = None,
    ) -> None:
        if not client_id:
            raise ValueError("client_id must not be empty")
        self.client_id = client_id
        self._secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
        self.scopes: tuple[str, ...] = tuple(scopes)
        self.token_url: httpx.URL | None = httpx.URL(token_url) if token_url is not None else None
        self._sessions: dict[str, TokenSession] = {}
        self._lock = threading.Lock()

    def auth_for(self, base_url: httpx.URL) -> httpx.Auth:
        url = self.token_url or build_url(base_url, TOKEN_PATH, {})
        with self._lock:
            session = self._sessions.get(str(url))
            if session is None:
                session = self._sessions[str(url)] = TokenSession(self, url)
        return session

    def basic_authorization(self) -> dict[str, str]:
        """The ``Authorization`` header that authenticates this client to the token endpoint."""
        pair = f"{quote(self.client_id, safe='')}:{quote(self._secret.reveal(), safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}

    def secrets(self) -> tuple[Secret, ...]:
        with self._lock:
            sessions = list(self._sessions.values())
        tokens = [token for session in sessions if (token := session.current_secret()) is not None]
        return (self._secret, *tokens)

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, scopes={list(self.scopes)!r})"
