"""Open sealed requests before anything reads them; seal the answers to them."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiaas.envelope import (
    HEADER,
    MEDIA_TYPE,
    STREAM_FRAME_EVENT,
    STREAM_KEY_EVENT,
    STREAM_MEDIA_TYPE,
    EnvelopeError,
    EnvelopeHeader,
    StreamSealer,
    encapsulation,
    open_request,
    seal_response,
    stream_event_data,
)

from ..problems import problem_response
from .keys import KeyStore
from .replay import ReplayGuard

# Paths whose bodies are never sealed: the token request carries no payload data.
UNSEALED_PATHS = frozenset({"/v1/oauth/token"})


class EncryptionMiddleware:
    """Implements the server side of ``aiaas-hpke/1`` for ``/v1`` requests.

    A request with an ``Aiaas-Encryption`` header gets its sealed body opened
    (the app sees the plaintext and its real content type) and its answer, whatever
    its status, sealed to the response key the request named. Failures to open are
    4xx problems with stable codes, answered in plaintext, and log nothing.

    Routing and authentication come before the envelope, as they would without
    one: a request no route takes (``routed``) or without valid credentials
    (``authentic``) goes on to the app with its body dropped, and keeps the
    app's 404, 405, 401 or 429; any other answer is replaced by the envelope's
    400. So a wrong method or a missing key is never reported as a bad header,
    and no route runs on a body it could not read.
    """

    def __init__(
        self,
        app: ASGIApp,
        keys: KeyStore,
        replay: ReplayGuard,
        window: float,
        require_encryption: bool,
        routed: Callable[[Scope], bool] = lambda scope: True,
        authentic: Callable[[Headers], bool] = lambda headers: True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.routed = routed
        self.authentic = authentic
        self.keys = keys
        self.replay = replay
        self.window = window
        self.require_encryption = require_encryption
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})
        state["sealed_request"] = False
        value = headers.get(HEADER)
        sealed = _media_type(headers) == MEDIA_TYPE
        try:
            if value is None:
                self._check_plaintext(scope, headers, sealed)
                await self.app(scope, receive, send)
                return
            header = EnvelopeHeader.decode(value)
            if abs(self._clock() - header.timestamp) > self.window:
                raise EnvelopeError(
                    "stale_request",
                    "The request's timestamp is outside the "
                    "accepted window; check the clock and send it again.",
                )
            if sealed:
                scope, receive = await self._opened(scope, receive, header)
                state["sealed_request"] = True
            elif _has_body(headers):
                raise EnvelopeError(
                    "invalid_encryption_header",
                    f"With {HEADER}, a body must be sealed ({MEDIA_TYPE}).",
                )
        except EnvelopeError as error:
            refusal = problem_response(scope, 400, error.code, str(error))
            if self.routed(scope) and self.authentic(headers):
                await refusal(scope, receive, send)
            else:
                await self.app(_bodiless(scope), _empty(receive), _Unless(send, refusal, scope))
            return
        except HTTPException as error:  # the body limit, raised while reading
            await problem_response(
                scope, error.status_code, "payload_too_large", str(error.detail)
            )(scope, receive, send)
            return
        await self.app(scope, receive, _Sealer(send, header, scope))

    def _check_plaintext(self, scope: Scope, headers: Headers, sealed: bool) -> None:
        if sealed:
            raise EnvelopeError(
                "invalid_encryption_header", f"A sealed body needs the {HEADER} header."
            )
        if self.require_encryption and _has_body(headers) and scope["path"] not in UNSEALED_PATHS:
            raise EnvelopeError(
                "encryption_required",
                "This server accepts request bodies only sealed (aiaas-hpke/1).",
            )

    async def _opened(
        self, scope: Scope, receive: Receive, header: EnvelopeHeader
    ) -> tuple[Scope, Receive]:
        if header.kid is None:
            raise EnvelopeError("invalid_encryption_header", "A sealed body needs a kid.")
        key = self.keys.get(header.kid)
        if key is None:
            raise EnvelopeError(
                "unknown_key",
                "The key is unknown or expired; fetch "
                "/v1/encryption/keys and seal the request again.",
            )
        if key.pair.suite.name != header.suite:
            raise EnvelopeError("invalid_encryption_header", "The suite does not match the key.")
        sealed = await _read_body(receive)
        plain = open_request(sealed, header, key.pair, scope["method"], _target(scope))
        if not self.replay.first_use(encapsulation(sealed, header.suite)):
            raise EnvelopeError("replayed_request", "This sealed request was received before.")
        opened = dict(scope)
        opened["headers"] = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-type", b"content-length")
        ] + [
            (b"content-type", header.content_type.encode()),
            (b"content-length", str(len(plain)).encode()),
        ]
        delivered = False

        async def receive_plain() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": plain, "more_body": False}
            return await receive()

        return opened, receive_plain


class _Sealer:
    """A ``send`` that holds the answer back, seals it, then sends it; or, for an
    event stream, seals each part as it is sent (``StreamSealer``)."""

    def __init__(self, send: Send, header: EnvelopeHeader, scope: Scope) -> None:
        self._send = send
        self._header = header
        self._method = scope["method"]
        self._target = _target(scope)
        self._start: Message | None = None
        self._body = bytearray()
        self._stream: StreamSealer | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            content_type = MutableHeaders(scope=message).get("content-type", "")
            if content_type.split(";")[0].strip() == STREAM_MEDIA_TYPE:
                await self._start_stream(message)
            return
        if self._stream is not None and message["type"] == "http.response.body":
            await self._send_frame(message)
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._body += message.get("body", b"")
        if message.get("more_body", False):
            return
        start = self._start
        headers = MutableHeaders(scope=start)
        # The media type alone: the header's ``type=`` ends at the next ';', so a
        # parameter (text/csv's charset) would not reach the reader's AAD.
        content_type = headers.get("content-type", "application/octet-stream").split(";")[0]
        sealed = seal_response(
            bytes(self._body),
            self._header,
            self._method,
            self._target,
            start["status"],
            content_type,
        )
        headers["content-type"] = MEDIA_TYPE
        headers["content-length"] = str(len(sealed))
        headers[HEADER] = f"v=1; suite={self._header.suite}; type={content_type}"
        await self._send(start)
        await self._send({"type": "http.response.body", "body": sealed, "more_body": False})

    async def _start_stream(self, start: Message) -> None:
        self._stream = StreamSealer(self._header, self._method, self._target, start["status"])
        headers = MutableHeaders(scope=start)
        del headers["content-length"]
        headers[HEADER] = f"v=1; suite={self._header.suite}; type={STREAM_MEDIA_TYPE}; framing=sse"
        await self._send(start)
        await self._send_event(STREAM_KEY_EVENT, self._stream.opening, more=True)

    async def _send_frame(self, message: Message) -> None:
        assert self._stream is not None
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if body or not more:
            await self._send_event(STREAM_FRAME_EVENT, self._stream.seal(body, last=not more), more)

    async def _send_event(self, name: str, data: bytes, more: bool) -> None:
        event = f"event: {name}\ndata: {stream_event_data(data)}\n\n".encode()
        await self._send({"type": "http.response.body", "body": event, "more_body": more})


_KEPT_STATUSES = frozenset({401, 404, 405, 429})


class _Unless:
    """A ``send`` that passes the app's answer on if its status is routing's or
    authentication's, and sends ``refusal`` in its place otherwise."""

    def __init__(self, send: Send, refusal: ASGIApp, scope: Scope) -> None:
        self._send = send
        self._refusal = refusal
        self._scope = scope
        self._kept: bool | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._kept = message["status"] in _KEPT_STATUSES
            if not self._kept:
                await self._refusal(self._scope, _empty(_never), self._send)
        if self._kept:
            await self._send(message)


def _empty(receive: Receive) -> Receive:
    """An empty body, then whatever ``receive`` says (a disconnect)."""
    given = False

    async def empty() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": b"", "more_body": False}

    return empty


async def _never() -> Message:
    return {"type": "http.disconnect"}


def _bodiless(scope: Scope) -> Scope:
    drop = (HEADER.lower().encode(), b"content-length", b"content-type", b"transfer-encoding")
    headers = [(name, value) for name, value in scope["headers"] if name not in drop]
    return {**scope, "headers": [*headers, (b"content-length", b"0")]}


def _target(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    path: str = scope["path"]
    return path + (f"?{query}" if query else "")


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return (length is not None and length.strip() not in ("", "0")) or (
        "transfer-encoding" in headers
    )


async def _read_body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(body)
