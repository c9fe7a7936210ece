"""The sync and async clients: configuration, the connection pool, and the thin
drivers that run a :class:`~aiaas._call.Call` with blocking or async I/O.
"""

from __future__ import annotations

import copy
import itertools
import os
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from dataclasses import replace
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import anyio
import httpx
import tenacity
from pydantic import BaseModel

from ._call import RETRY_SETTINGS, Call
from ._constants import (
    DEFAULT_CONNECTION_LIMITS,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    X25519_SUITE,
)
from ._credentials import ApiKey, Credentials
from ._credentials_chain import resolve
from ._encryption import Encryption, EncryptionMode
from ._exceptions import AIaaSError, NotFoundError
from ._options import (
    NOT_GIVEN,
    ClientOptions,
    NotGiven,
    RetryPolicy,
    TimeoutTypes,
    as_timeout,
    resolve_base_url,
)
from ._pages import AsyncPage, AsyncPaginator, SyncPage
from ._raw_response import note_answer
from ._request import RequestSpec
from ._response import parse_body
from ._secret import Secret
from ._streaming import AsyncStream, EventReader, Stream
from ._token_session import TokenSession
from ._transport_security import VerifyTypes, check_plaintext, ssl_verify
from .resources.batch_predictions import AsyncBatchPredictions, BatchPredictions
from .resources.chat import AsyncChat, Chat
from .resources.datasets import AsyncDatasets, Datasets
from .resources.embeddings import AsyncEmbeddings, Embeddings
from .resources.models import AsyncModels, Models
from .resources.training_jobs import AsyncTrainingJobs, TrainingJobs
from .types.encryption import EncryptionKeyList
from .types.list_response import ListResponse

__all__ = ["AsyncClient", "Client"]

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT")
HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)
SyncStreamT = TypeVar("SyncStreamT", bound=Stream[Any])
AsyncStreamT = TypeVar("AsyncStreamT", bound=AsyncStream[Any])

SERVER_KEYS = RequestSpec("GET", "/v1/encryption/keys", encrypt=False)

# Built once: every call's own state travels in the Call passed to each attempt.
_RETRYING = tenacity.Retrying(**RETRY_SETTINGS)
# anyio's sleep runs under asyncio and trio alike; tenacity's own default is
# asyncio's in some of the versions this SDK allows.
_ASYNC_RETRYING = tenacity.AsyncRetrying(sleep=anyio.sleep, **RETRY_SETTINGS)


class _BaseClient(Generic[HttpClientT]):
    """Settings and connection pool shared by :class:`Client` and :class:`AsyncClient`."""

    _options: ClientOptions
    _auth: httpx.Auth
    _http: HttpClientT
    _owns_http: bool

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        credentials: Credentials | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = DEFAULT_DEADLINE,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: VerifyTypes = True,
        allow_insecure_http: bool = False,
        encryption: EncryptionMode = "auto",
        encryption_suite: str = X25519_SUITE,
        http_client: HttpClientT | None = None,
    ) -> None:
        """Create a client.

        Args:
            api_key: An API key; defaults to ``AIAAS_API_KEY``.
            credentials: Credentials object, instead of ``api_key``.
            base_url: Service root; defaults to ``AIAAS_BASE_URL``, then the local mock.
            timeout: Per-attempt timeout, in seconds or as an ``httpx.Timeout``.
            max_retries: Retries after the first attempt for retryable failures.
            deadline: Bound in seconds on one call across all its attempts and waits;
                ``None`` for none. Each attempt's timeout shrinks to what is left.
            default_headers: Headers sent with every request.
            retry_policy: Backoff settings between attempts.
            verify: TLS verification: ``True`` (system CAs), a CA bundle path, or an
                ``ssl.SSLContext``.
            allow_insecure_http: Allow ``http://`` to hosts other than this machine.
            encryption: ``"auto"`` seals request and answer bodies end to end when the
                server offers keys; ``"required"`` refuses to send or accept any
                payload in plaintext; ``"off"`` never seals.
            encryption_suite: ``"x25519-sha256-aes256gcm"`` or the post-quantum hybrid
                ``"mlkem768x25519-sha256-aes256gcm"``.
            http_client: An httpx client to send through; the caller keeps
                ownership, closes it and configures its TLS.
        """
        resolved = resolve(credentials, api_key)
        options = ClientOptions(
            base_url=resolve_base_url(base_url, os.environ, resolved.base_url),
            credentials=resolved.credentials,
            timeout=as_timeout(timeout),
            max_retries=max_retries,
            deadline=deadline,
            default_headers=dict(default_headers or {}),
            retry_policy=retry_policy or RetryPolicy(),
            allow_insecure_http=allow_insecure_http,
            encryption=Encryption(encryption, encryption_suite),
        )
        self._setup(options, verify, http_client)

    def _setup(
        self, options: ClientOptions, verify: VerifyTypes, http_client: HttpClientT | None
    ) -> None:
        self._set_options(options)
        if http_client is not None and verify is not True:
            raise AIaaSError("pass verify= to your own http_client, not to the aiaas client")
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else self._new_http_client(ssl_verify(verify))
        )
        self._bind_resources()

    def _set_options(self, options: ClientOptions) -> None:
        check_plaintext(options.base_url, options.allow_insecure_http)
        auth = options.credentials.auth_for(options.base_url)
        if isinstance(auth, TokenSession):
            check_plaintext(auth.token_url, options.allow_insecure_http, "token_url")
        self._options, self._auth = options, auth

    def _new_http_client(self, verify: ssl.SSLContext | bool) -> HttpClientT:
        raise NotImplementedError

    def _bind_resources(self) -> None:
        """Attach the resource groups (``client.models``, ...) to a new or cloned client."""

    @property
    def base_url(self) -> httpx.URL:
        return self._options.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        return self._options.max_retries

    @property
    def deadline(self) -> float | None:
        return self._options.deadline

    def with_options(
        self,
        *,
        api_key: str | Secret | NotGiven = NOT_GIVEN,
        credentials: Credentials | NotGiven = NOT_GIVEN,
        base_url: str | httpx.URL | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        encryption: EncryptionMode | NotGiven = NOT_GIVEN,
        encryption_suite: str | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A client with some settings changed that shares this client's connection pool.

        Closing the returned client leaves the shared pool open; close the original.
        """
        if not isinstance(api_key, NotGiven):
            if not isinstance(credentials, NotGiven):
                raise AIaaSError("pass either credentials= or api_key=, not both")
            credentials = ApiKey(api_key)
        current = self._options.encryption
        if not isinstance(encryption, NotGiven) or not isinstance(encryption_suite, NotGiven):
            # The new settings keep the same key cache: the server's keys do not change.
            current = Encryption(
                current.mode if isinstance(encryption, NotGiven) else encryption,
                current.suite if isinstance(encryption_suite, NotGiven) else encryption_suite,
                current.keys,
            )
        clone = copy.copy(self)
        clone._set_options(
            self._options.replace(
                credentials=credentials,
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
                deadline=deadline,
                default_headers=default_headers,
                retry_policy=retry_policy,
                encryption=current,
            )
        )
        clone._owns_http = False
        clone._bind_resources()
        return clone

    copy = with_options
    """The name openai-python and anthropic-sdk-python give :meth:`with_options`."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, "
            f"max_retries={self.max_retries}, deadline={self.deadline})"
        )


class SyncAPIClient(_BaseClient[httpx.Client]):
    """The blocking driver: sends calls with retries through an ``httpx.Client``."""

    def _new_http_client(self, verify: ssl.SSLContext | bool) -> httpx.Client:
        return httpx.Client(limits=DEFAULT_CONNECTION_LIMITS, follow_redirects=False, verify=verify)

    def _request(self, spec: RequestSpec, cast_to: type[ModelT]) -> ModelT:
        return parse_body(self._send(spec), cast_to)

    def _send(self, spec: RequestSpec) -> httpx.Response:
        """The successful answer to ``spec``, after retries; else its typed error raised."""
        return self._run(Call(self._options, spec))

    def _stream(
        self, spec: RequestSpec, cast_to: type[ModelT], stream_cls: type[SyncStreamT]
    ) -> SyncStreamT:
        """The events of ``spec``'s answer as they arrive, as ``stream_cls``. Retried
        like any call until an answer starts; never after its first byte."""
        call = Call(self._options, replace(spec, stream=True))
        response = self._run(call)
        try:
            reader = EventReader(cast_to, response, call.stream_opener(response))
        except BaseException:
            response.close()
            raise
        chunks = call.primed if isinstance(call.primed, Iterator) else response.iter_bytes()
        return stream_cls(response, reader, call.connection_error, chunks)

    def _run(self, call: Call) -> httpx.Response:
        if call.needs_server_keys():
            self._fetch_server_keys()
        try:
            try:
                response = self._attempt(call)
            except Exception as exc:
                if not call.first_outcome(exc):
                    raise
                response = _RETRYING(self._attempt, call)
            else:
                if call.first_outcome(response):
                    response = _RETRYING(self._attempt, call)
        except httpx.TransportError as exc:
            raise call.connection_error(exc) from exc
        return note_answer(call.finished(response), retries=call.attempts - 1)

    def _attempt(self, call: Call) -> httpx.Response:
        replayed = call.replay()
        if replayed is not None:
            return replayed
        response = self._exchange(call)
        if call.wants_fresh_keys(response):
            self._fetch_server_keys()
            response = self._exchange(call)
        return response

    def _exchange(self, call: Call) -> httpx.Response:
        response = self._http.send(call.next_request(), auth=self._auth, stream=call.spec.stream)
        if call.must_read(response):
            response.read()
        elif call.spec.stream:
            # The attempt lasts until the body's first bytes: a connection that
            # breaks before them is retried like any other.
            chunks = response.iter_bytes()
            try:
                first = next(chunks, b"")
            except BaseException:
                response.close()
                raise
            call.primed = itertools.chain([first], chunks)
        return call.receive(response)

    def _fetch_server_keys(self) -> None:
        try:
            keys = self._request(SERVER_KEYS, EncryptionKeyList).data
        except NotFoundError:
            keys = None
        self._options.encryption.accept_keys(keys)

    def _get_page(self, spec: RequestSpec, envelope: type[ListResponse[ItemT]]) -> SyncPage[ItemT]:
        def fetch(cursor: str | None) -> SyncPage[ItemT]:
            return SyncPage(self._request(spec.with_cursor(cursor), envelope), fetch)

        return fetch(None)

    def close(self) -> None:
        """Close the connection pool, unless it was passed in or is shared."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Client(SyncAPIClient):
    """Blocking client of the aiaas API. Use it as a context manager, or call
    :meth:`close` when done.
    """

    models: Models
    chat: Chat
    embeddings: Embeddings
    datasets: Datasets
    training_jobs: TrainingJobs
    batch_predictions: BatchPredictions

    def _bind_resources(self) -> None:
        self.models = Models(self)
        self.chat = Chat(self)
        self.embeddings = Embeddings(self)
        self.datasets = Datasets(self)
        self.training_jobs = TrainingJobs(self)
        self.batch_predictions = BatchPredictions(self)


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """The async driver: sends calls with retries through an ``httpx.AsyncClient``."""

    def _new_http_client(self, verify: ssl.SSLContext | bool) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            limits=DEFAULT_CONNECTION_LIMITS, follow_redirects=False, verify=verify
        )

    async def _request(self, spec: RequestSpec, cast_to: type[ModelT]) -> ModelT:
        return parse_body(await self._send(spec), cast_to)

    async def _send(self, spec: RequestSpec) -> httpx.Response:
        """The successful answer to ``spec``, after retries; else its typed error raised."""
        return await self._run(Call(self._options, spec, asynchronous=True))

    async def _stream(
        self, spec: RequestSpec, cast_to: type[ModelT], stream_cls: type[AsyncStreamT]
    ) -> AsyncStreamT:
        """The events of ``spec``'s answer as they arrive, as ``stream_cls``. Retried
        like any call until an answer starts; never after its first byte."""
        call = Call(self._options, replace(spec, stream=True), asynchronous=True)
        response = await self._run(call)
        try:
            reader = EventReader(cast_to, response, call.stream_opener(response))
        except BaseException:
            await response.aclose()
            raise
        chunks = call.primed if isinstance(call.primed, AsyncIterator) else response.aiter_bytes()
        return stream_cls(response, reader, call.connection_error, chunks)

    async def _run(self, call: Call) -> httpx.Response:
        if call.needs_server_keys():
            await self._fetch_server_keys()
        try:
            try:
                response = await self._attempt(call)
            except Exception as exc:
                if not call.first_outcome(exc):
                    raise
                response = await _ASYNC_RETRYING(self._attempt, call)
            else:
                if call.first_outcome(response):
                    response = await _ASYNC_RETRYING(self._attempt, call)
        except httpx.TransportError as exc:
            raise call.connection_error(exc) from exc
        return note_answer(call.finished(response), retries=call.attempts - 1)

    async def _attempt(self, call: Call) -> httpx.Response:
        replayed = call.replay()
        if replayed is not None:
            return replayed
        response = await self._exchange(call)
        if call.wants_fresh_keys(response):
            await self._fetch_server_keys()
            response = await self._exchange(call)
        return response

    async def _exchange(self, call: Call) -> httpx.Response:
        request = call.next_request()
        response = await self._http.send(request, auth=self._auth, stream=call.spec.stream)
        if call.must_read(response):
            await response.aread()
        elif call.spec.stream:
            chunks = response.aiter_bytes()
            try:
                first = await anext(chunks, b"")
            except BaseException:
                await response.aclose()
                raise
            call.primed = _chained(first, chunks)
        return call.receive(response)

    async def _fetch_server_keys(self) -> None:
        try:
            keys = (await self._request(SERVER_KEYS, EncryptionKeyList)).data
        except NotFoundError:
            keys = None
        self._options.encryption.accept_keys(keys)

    def _get_page(
        self, spec: RequestSpec, envelope: type[ListResponse[ItemT]]
    ) -> AsyncPaginator[ItemT]:
        async def fetch(cursor: str | None) -> AsyncPage[ItemT]:
            return AsyncPage(await self._request(spec.with_cursor(cursor), envelope), fetch)

        return AsyncPaginator(lambda: fetch(None))

    async def close(self) -> None:
        """Close the connection pool, unless it was passed in or is shared."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def _chained(first: bytes, rest: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    yield first
    async for chunk in rest:
        yield chunk


class AsyncClient(AsyncAPIClient):
    """Async client of the aiaas API. Use it with ``async with``, or await
    :meth:`close` when done.
    """

    models: AsyncModels
    chat: AsyncChat
    embeddings: AsyncEmbeddings
    datasets: AsyncDatasets
    training_jobs: AsyncTrainingJobs
    batch_predictions: AsyncBatchPredictions

    def _bind_resources(self) -> None:
        self.models = AsyncModels(self)
        self.chat = AsyncChat(self)
        self.embeddings = AsyncEmbeddings(self)
        self.datasets = AsyncDatasets(self)
        self.training_jobs = AsyncTrainingJobs(self)
        self.batch_predictions = AsyncBatchPredictions(self)
