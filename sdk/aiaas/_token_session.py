"""Access tokens from the OAuth 2.0 client-credentials grant, cached and refreshed.

One :class:`TokenSession` per (credentials, token endpoint) holds the current
token. However many threads and tasks need a new token at once, exactly one
token request is in flight; the others wait for its outcome. The waiting is the
only part that differs between threads and tasks, so the logic lives in one
generator (``_flow``) that both drivers run.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._constants import REQUEST_ID_HEADER
from ._exceptions import APIResponseValidationError
from ._response import parse_problem, status_error
from ._secret import Secret
from .types.problem import Problem

if TYPE_CHECKING:
    import asyncio

    from ._credentials import ClientCredentials

__all__ = ["AccessToken", "TokenSession", "refresh_margin"]


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token is replaced: a tenth of its life, at most a minute."""
    return min(60.0, lifetime / 10.0)


@dataclass(frozen=True)
class AccessToken:
    value: Secret
    scope: str
    lifetime: float
    expires_at: float
    """On the session's monotonic clock."""

    def usable_at(self, now: float) -> bool:
        return now < self.expires_at - refresh_margin(self.lifetime)


class _Refresh:
    """One token request in flight, and everyone waiting for it: threads, and tasks
    of any event loop (asyncio or trio) in any thread."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._wakers: list[Callable[[], None]] = []

    def finish(self, error: BaseException | None) -> None:
        with self._lock:
            self.error = error
            self._done.set()
            wakers, self._wakers = self._wakers, []
        for wake in wakers:
            wake()

    def wait(self) -> None:
        self._done.wait()

    async def wait_async(self) -> None:
        if _on_asyncio():
            await self._wait_asyncio()
        else:
            await self._wait_trio()

    async def _wait_asyncio(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            # A closed loop raises RuntimeError; nobody waits there any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, future)

        if self._register(wake):
            await future

    async def _wait_trio(self) -> None:
        import trio  # only reached under trio, so trio is installed

        event = trio.Event()
        token = trio.lowlevel.current_trio_token()

        def wake() -> None:
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(event.set)

        if self._register(wake):
            await event.wait()

    def _register(self, wake: Callable[[], None]) -> bool:
        """Whether the caller must wait (``False``: the request has finished)."""
        with self._lock:
            if self._done.is_set():
                return False
            self._wakers.append(wake)
            return True


def _on_asyncio() -> bool:
    # A program on an asyncio loop has imported asyncio; one on trio need not.
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True)
class _Lead:
    """The caller must fetch the token itself and report to ``refresh``."""

    refresh: _Refresh


Step = httpx.Request | _Refresh


class TokenSession(httpx.Auth):
    """An httpx auth flow that sends a cached access token and renews it when needed.

    A ``401`` whose ``WWW-Authenticate`` says ``invalid_token`` makes the session
    fetch one new token and send the request once more; a second 401 is returned.
    """

    def __init__(
        self,
        credentials: ClientCredentials,
        token_url: httpx.URL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._token_url = token_url
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._refresh: _Refresh | None = None

    @property
    def token_url(self) -> httpx.URL:
        return self._token_url

    def current_secret(self) -> Secret | None:
        """The cached access token, if any."""
        token = self._token
        return token.value if token is not None else None

    def __repr__(self) -> str:
        return f"TokenSession(token_url={str(self._token_url)!r})"

    # -- the flow, shared by both drivers -----------------------------------

    def _flow(self, request: httpx.Request) -> Generator[Step, Any, None]:
        token = yield from self._usable_token(stale=None)
        _authorize(request, token)
        response: httpx.Response = yield request
        if response.status_code == 401 and _says_invalid_token(response):
            token = yield from self._usable_token(stale=token)
            _authorize(request, token)
            yield request

    def _usable_token(self, stale: AccessToken | None) -> Generator[Step, Any, AccessToken]:
        """A token worth sending: the cached one, or a new one fetched by whoever leads."""
        while True:
            claim = self._claim(stale)
            if isinstance(claim, AccessToken):
                return claim
            if isinstance(claim, _Refresh):
                yield claim  # the driver waits for the leader
                if claim.error is not None and isinstance(claim.error, Exception):
                    raise claim.error
                continue  # the leader succeeded, or was interrupted: look again
            try:
                response: httpx.Response = yield self._token_request()
                token = self._accept(response)
            except BaseException as error:
                self._settle(claim.refresh, None, error)
                raise
            self._settle(claim.refresh, token, None)
            return token

    def _claim(self, stale: AccessToken | None) -> AccessToken | _Refresh | _Lead:
        with self._lock:
            token = self._token
            if token is not None and token is not stale and token.usable_at(self._clock()):
                return token
            if self._refresh is not None:
                return self._refresh
            self._refresh = _Refresh()
            return _Lead(self._refresh)

    def _settle(
        self, refresh: _Refresh, token: AccessToken | None, error: BaseException | None
    ) -> None:
        with self._lock:
            if token is not None:
                self._token = token
            self._refresh = None
        refresh.finish(error)

    def _token_request(self) -> httpx.Request:
        """RFC 6749 §4.4.2, with the client authenticated by HTTP Basic (§2.3.1)."""
        credentials = self._credentials
        form = {"grant_type": "client_credentials"}
        if credentials.scopes:
            form["scope"] = " ".join(credentials.scopes)
        headers = {"Accept": "application/json", **credentials.basic_authorization()}
        return httpx.Request("POST", self._token_url, data=form, headers=headers)

    def _accept(self, response: httpx.Response) -> AccessToken:
        """The token in a token-endpoint answer; errors as the SDK's exceptions."""
        secrets = self._credentials.secrets()
        if response.status_code != 200:
            raise status_error(_with_problem(response), secrets)
        try:
            body = response.json()
            value = body["access_token"]
            lifetime = float(body["expires_in"])
            token_type = body.get("token_type", "")
        except (ValueError, KeyError, TypeError):
            raise _invalid_answer(response) from None
        if not isinstance(value, str) or not value or str(token_type).lower() != "bearer":
            raise _invalid_answer(response)
        return AccessToken(
            value=Secret(value),
            scope=str(body.get("scope", "")),
            lifetime=lifetime,
            expires_at=self._clock() + lifetime,
        )

    # -- drivers ------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Refresh):
                    step.wait()
                    step = flow.send(None)
                else:
                    response = yield step
                    response.read()
                    step = flow.send(response)
        except StopIteration:
            return
        finally:
            flow.close()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Refresh):
                    await step.wait_async()
                    step = flow.send(None)
                else:
                    response = yield step
                    await response.aread()
                    step = flow.send(response)
        except StopIteration:
            return
        finally:
            flow.close()


def _authorize(request: httpx.Request, token: AccessToken) -> None:
    request.headers["Authorization"] = f"Bearer {token.value.reveal()}"


def _says_invalid_token(response: httpx.Response) -> bool:
    return 'error="invalid_token"' in response.headers.get("www-authenticate", "")


def _with_problem(response: httpx.Response) -> httpx.Response:
    """``response`` with a problem body: RFC 6749 errors are translated if need be."""
    if parse_problem(response) is not None:
        return response
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    problem = Problem(
        title="Token request failed",
        status=response.status_code,
        code=error if isinstance(error, str) and error else "token_request_failed",
        detail=body.get("error_description") if isinstance(body, dict) else None,
    )
    return _replace_body(response, problem)


def _invalid_answer(response: httpx.Response) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"{response.status_code} answer of the token endpoint holds no bearer access token",
        response=response,
        body=None,
    )


def _replace_body(response: httpx.Response, problem: Problem) -> httpx.Response:
    request_id = response.headers.get(REQUEST_ID_HEADER)
    return httpx.Response(
        problem.status,
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
        content=problem.model_dump_json().encode(),
        request=response.request,
    )
