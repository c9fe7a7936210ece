"""Answers that arrive as Server-Sent Events: :class:`Stream` and :class:`AsyncStream`
own the HTTP response and always close it; :class:`EventReader` turns the bytes
into typed items and holds no I/O.

A stream ends at ``data: [DONE]`` or when the server closes it (older servers
send no ``[DONE]``). An ``event: error`` or a JSON object with an ``error``
member is raised as the typed error of its status. A sealed stream (our
service, with encryption) is opened frame by frame, in order, and one that is
cut short is an :class:`~aiaas.EncryptionError`, never a silently shorter answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ._constants import REQUEST_ID_HEADER
from ._exceptions import APIError, APIResponseValidationError, EncryptionError
from ._response import error_class
from ._sse import ServerSentEvent, SSEDecoder
from .types.api_object import APIObject
from .types.problem import Problem

if TYPE_CHECKING:
    from .envelope import StreamOpener

__all__ = ["AsyncStream", "EventReader", "Stream"]

ItemT = TypeVar("ItemT", bound=BaseModel)

DONE = "[DONE]"


class EventReader(Generic[ItemT]):
    """The items in an event stream's bytes, fed as they arrive. No I/O.

    ``open_stream`` builds the opener of a sealed stream from its first event's
    data; ``None`` for a plaintext stream.
    """

    def __init__(
        self,
        cast_to: type[ItemT],
        response: httpx.Response,
        open_stream: Callable[[bytes], StreamOpener] | None = None,
    ) -> None:
        self._cast_to = cast_to
        self._response = response
        self._request_id = response.headers.get(REQUEST_ID_HEADER)
        self._decoder = SSEDecoder()
        self._open_stream = open_stream
        self._opener: StreamOpener | None = None
        self._inner = SSEDecoder()
        """Reads the plaintext of a sealed stream's frames."""
        self.done: bool = False
        """``[DONE]`` was read: nothing after it is an item."""

    def feed(self, chunk: bytes) -> list[ItemT]:
        if self.done:
            return []
        events = self._decoder.feed(chunk)
        if self._open_stream is not None:
            events = self._opened(events, self._open_stream)
        items: list[ItemT] = []
        for event in events:
            if event.data == DONE:
                self.done = True
                break
            items.append(self._item(event))
        return items

    def end(self) -> None:
        """The server closed the stream: fine, unless a sealed stream lacks its last frame."""
        if self._open_stream is not None and (self._opener is None or not self._opener.finished):
            raise EncryptionError(
                "the sealed stream ended before its last frame: the answer was cut short"
            )

    def _opened(
        self, events: list[ServerSentEvent], open_stream: Callable[[bytes], StreamOpener]
    ) -> list[ServerSentEvent]:
        from .envelope import (
            STREAM_FRAME_EVENT,
            STREAM_KEY_EVENT,
            EnvelopeError,
            stream_event_bytes,
        )

        inner: list[ServerSentEvent] = []
        try:
            for event in events:
                raw = stream_event_bytes(event.data)
                if self._opener is None:
                    if event.event != STREAM_KEY_EVENT:
                        raise EnvelopeError("decryption_failed", "no stream key")
                    self._opener = open_stream(raw)
                elif event.event == STREAM_FRAME_EVENT:
                    inner.extend(self._inner.feed(self._opener.open(raw)))
                else:
                    raise EnvelopeError("decryption_failed", f"unexpected {event.event!r}")
        except (EnvelopeError, ValueError):
            raise EncryptionError(
                "a sealed stream did not open: it was not sealed to this request, or was "
                "altered, reordered or cut on the way"
            ) from None
        return inner

    def _item(self, event: ServerSentEvent) -> ItemT:
        try:
            payload = json.loads(event.data)
        except ValueError:
            raise self._invalid(f"an event's data is not JSON: {event.data[:80]!r}") from None
        if event.event == "error" or (isinstance(payload, dict) and "error" in payload):
            raise self._error(payload)
        try:
            item = self._cast_to.model_validate(payload)
        except ValidationError as exc:
            raise self._invalid(
                f"an event did not match {self._cast_to.__name__}: {exc.errors()[0]['msg']}"
            ) from None
        if isinstance(item, APIObject):
            item._request_id = self._request_id
        return item

    def _invalid(self, message: str) -> APIResponseValidationError:
        return APIResponseValidationError(message, response=self._response)

    def _error(self, payload: Any) -> APIError:
        """The typed error an error event stands for (its status, else 500)."""
        error = payload.get("error", payload) if isinstance(payload, dict) else payload
        if not isinstance(error, dict):
            error = {"detail": str(error)}
        status = error.get("status")
        if not isinstance(status, int):
            code = error.get("code")
            status = code if isinstance(code, int) and 400 <= code < 600 else 500
        body: Problem | None = None
        try:
            body = Problem.model_validate(error)
        except ValidationError:
            body = None
        detail = error.get("detail") or error.get("message") or "the stream failed"
        code = body.code if body is not None else error.get("type") or "stream_error"
        message = f"{status} {code}: {detail} (in the stream)"
        exc = error_class(status)(message, response=self._response, body=body)
        exc.status_code = status
        return exc


MapError = Callable[[httpx.TransportError], Exception]
"""Turns a transport failure mid-stream into the SDK's connection error."""


DRAIN_BYTES = 64 * 1024
"""After ``[DONE]`` the server ends the answer; reading that end (at most this
much) lets the connection be reused and every generator under it finish."""


def _drain(chunks: Iterator[bytes]) -> None:
    left = DRAIN_BYTES
    for chunk in chunks:
        left -= len(chunk)
        if left <= 0:
            return


async def _adrain(chunks: AsyncIterator[bytes]) -> None:
    left = DRAIN_BYTES
    async for chunk in chunks:
        left -= len(chunk)
        if left <= 0:
            return


def _items(
    response: httpx.Response, chunks: Iterator[bytes], reader: EventReader[ItemT], fail: MapError
) -> Generator[ItemT, None, None]:
    try:
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except httpx.TransportError as exc:
                raise fail(exc) from exc
            yield from reader.feed(chunk)
            if reader.done:
                _drain(chunks)
                return
        reader.end()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        response.close()


async def _aitems(
    response: httpx.Response,
    chunks: AsyncIterator[bytes],
    reader: EventReader[ItemT],
    fail: MapError,
) -> AsyncGenerator[ItemT, None]:
    try:
        while True:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except httpx.TransportError as exc:
                raise fail(exc) from exc
            for item in reader.feed(chunk):
                yield item
            if reader.done:
                await _adrain(chunks)
                return
        reader.end()
    finally:
        closing = getattr(chunks, "aclose", None)
        if closing is not None:
            await closing()
        await response.aclose()


class Stream(Generic[ItemT]):
    """The items of a streamed answer, as they arrive.

    Iterate it; use it as a context manager, or call :meth:`close`, to let go of
    the connection early. Breaking out of the loop, an exception and garbage
    collection close it too. A stream is iterated once.
    """

    def __init__(
        self,
        response: httpx.Response,
        reader: EventReader[ItemT],
        fail: MapError,
        chunks: Iterator[bytes] | None = None,
    ) -> None:
        self.response: httpx.Response = response
        body = chunks if chunks is not None else response.iter_bytes()
        # The generator does not refer back to the stream, so dropping the stream
        # drops the generator at once, whose ``finally`` closes the response.
        self._iterator = _items(response, body, reader, fail)

    def __iter__(self) -> Iterator[ItemT]:
        return self._iterator

    def __next__(self) -> ItemT:
        return next(self._iterator)

    def close(self) -> None:
        """Let go of the connection; the items not read yet are lost."""
        self._iterator.close()
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(Generic[ItemT]):
    """:class:`Stream` for the async client: ``async for``, ``async with``, :meth:`aclose`."""

    def __init__(
        self,
        response: httpx.Response,
        reader: EventReader[ItemT],
        fail: MapError,
        chunks: AsyncIterator[bytes] | None = None,
    ) -> None:
        self.response: httpx.Response = response
        body = chunks if chunks is not None else response.aiter_bytes()
        self._iterator = _aitems(response, body, reader, fail)

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self._iterator

    async def __anext__(self) -> ItemT:
        return await self._iterator.__anext__()

    async def aclose(self) -> None:
        """Let go of the connection; the items not read yet are lost."""
        await self._iterator.aclose()
        await self.response.aclose()

    close = aclose

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
