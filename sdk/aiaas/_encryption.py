"""The client side of encrypted payloads: which requests to seal, to which key,
and how to open the answers. No I/O: the clients fetch the server's keys.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import httpx

from ._constants import (
    ENCRYPTION_HEADER,
    REQUEST_ID_HEADER,
    SEALED_MEDIA_TYPE,
    SUITE_NAMES,
    X25519_SUITE,
)
from ._exceptions import EncryptionError
from .types.encryption import EncryptionKey

if TYPE_CHECKING:
    from .envelope import EnvelopeHeader, KeyPair, StreamOpener

# aiaas.envelope (and the cryptography package under it) loads at the first
# sealed request or answer: a client with encryption off never needs it.

__all__ = ["Encryption", "EncryptionMode", "SealedAttempt", "ServerKeys", "stream_opener"]

EncryptionMode = Literal["auto", "required", "off"]


class ServerKeys:
    """The server's public keys as last fetched; shared by clients made by ``with_options``."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: list[EncryptionKey] | None = None
        self.unsupported = False
        """The server offers no keys (``auto`` mode then sends plaintext)."""

    def replace(self, keys: list[EncryptionKey]) -> None:
        with self._lock:
            self._keys = sorted(keys, key=lambda key: key.created_at, reverse=True)
            self.unsupported = False

    def mark_unsupported(self) -> None:
        with self._lock:
            self._keys, self.unsupported = [], True

    def newest(self, suite: str) -> EncryptionKey | None:
        """The newest unexpired key of ``suite``, if one is known."""
        now = self._clock()
        with self._lock:
            keys = self._keys or []
        return next((k for k in keys if k.suite == suite and k.expires_at > now), None)

    def known(self) -> bool:
        with self._lock:
            return self._keys is not None


@dataclass(frozen=True, repr=False)
class SealedAttempt:
    """What one encrypted attempt needs to open its answer."""

    header: EnvelopeHeader
    response_key: KeyPair
    method: str
    target: str


@dataclass(frozen=True)
class Encryption:
    """A client's encryption settings: ``mode`` and ``suite``, with the key cache."""

    mode: EncryptionMode = "auto"
    suite: str = X25519_SUITE
    keys: ServerKeys = field(default_factory=ServerKeys, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "required", "off"):
            raise ValueError("encryption must be 'auto', 'required' or 'off'")
        if self.suite not in SUITE_NAMES:
            raise ValueError(f"encryption_suite must be one of {', '.join(SUITE_NAMES)}")

    def wanted(self) -> bool:
        """Whether requests are to be sealed, as far as is known before fetching keys."""
        return self.mode == "required" or (self.mode == "auto" and not self.keys.unsupported)

    def needs_keys(self) -> bool:
        return self.wanted() and self.keys.newest(self.suite) is None

    def accept_keys(self, keys: list[EncryptionKey] | None) -> None:
        """Take a fetched key list (``None``: the server has no such endpoint)."""
        if keys is None:
            if self.mode == "required":
                raise EncryptionError(
                    "the server offers no encryption keys, and encryption='required'"
                )
            self.keys.mark_unsupported()
            return
        self.keys.replace(keys)
        if self.mode == "required" and self.keys.newest(self.suite) is None:
            raise EncryptionError(f"the server offers no key of the suite {self.suite}")

    def seal(
        self, method: str, target: str, body: bytes | None, content_type: str
    ) -> tuple[dict[str, str], bytes | None, SealedAttempt] | None:
        """Headers, body and opening state of one attempt, or ``None`` to send it plain."""
        key = self.keys.newest(self.suite) if self.wanted() else None
        if key is None:
            if self.mode == "required":
                raise EncryptionError(f"no usable server key of the suite {self.suite}")
            return None
        from .envelope import SUITES, EnvelopeError, EnvelopeHeader, public_key_bytes, seal_request

        response_key = SUITES[self.suite].generate()
        header = EnvelopeHeader(
            suite=self.suite,
            timestamp=int(time.time()),
            request_id=f"req_{secrets.token_hex(12)}",
            response_key=response_key.public_bytes,
            kid=key.kid if body is not None else None,
            content_type=content_type,
        )
        headers = {ENCRYPTION_HEADER: header.encode(), REQUEST_ID_HEADER: header.request_id}
        sealed = None
        if body is not None:
            try:
                sealed = seal_request(
                    body, header, public_key_bytes(key.public_key), method, target
                )
            except (EnvelopeError, ValueError):
                raise EncryptionError(f"the server key {key.kid} is malformed") from None
            headers["Content-Type"] = SEALED_MEDIA_TYPE
        return headers, sealed, SealedAttempt(header, response_key, method, target)


def opened_response(response: httpx.Response, attempt: SealedAttempt | None) -> httpx.Response:
    """The answer with its body opened, if it was sealed to ``attempt``.

    A sealed answer that does not open, a sealed answer nobody asked for, and a
    plaintext *success* answer to an encrypted request are all an
    :class:`EncryptionError`: the last would mean that something between client and
    server replaced the answer. Plaintext error answers (failures to open the
    request, throttling) are passed on; they carry no payload.
    """
    outer_type = response.headers.get("content-type", "")
    sealed = outer_type.split(";")[0].strip() == SEALED_MEDIA_TYPE
    if attempt is None:
        if sealed:
            raise EncryptionError("received a sealed answer to a plaintext request")
        return response
    if not sealed:
        if response.is_success:
            raise EncryptionError(
                f"received a plaintext {response.status_code} answer to an encrypted request"
            )
        return response
    from .envelope import EnvelopeError, open_response

    content_type = _inner_content_type(response)
    try:
        plain = open_response(
            response.content,
            attempt.header,
            attempt.response_key,
            attempt.method,
            attempt.target,
            response.status_code,
            content_type,
        )
    except EnvelopeError:
        raise EncryptionError(
            f"the {response.status_code} answer could not be opened: it was not sealed to "
            "this request, or was altered on the way"
        ) from None
    headers = [
        (name, value)
        for name, value in response.headers.raw
        if name.lower() not in (b"content-type", b"content-length")
    ]
    headers += [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(plain))]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=plain,
        request=response.request,
        extensions=response.extensions,
    )


def _inner_content_type(response: httpx.Response) -> str:
    for part in response.headers.get(ENCRYPTION_HEADER, "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "type" and value:
            return str(value)
    return "application/octet-stream"


def stream_opener(
    response: httpx.Response, attempt: SealedAttempt | None
) -> Callable[[bytes], StreamOpener] | None:
    """How to open a streamed success answer sealed to ``attempt``: a function of the
    stream key event's data. ``None`` for a plaintext stream to a plaintext request;
    a plaintext stream to an encrypted request, or the other way round, is an
    :class:`EncryptionError`."""
    sealed = ENCRYPTION_HEADER in response.headers
    if attempt is None:
        if sealed:
            raise EncryptionError("received a sealed stream to a plaintext request")
        return None
    if not sealed:
        raise EncryptionError(
            f"received a plaintext {response.status_code} stream to an encrypted request"
        )
    from .envelope import StreamOpener

    status = response.status_code

    def open_stream(opening: bytes) -> StreamOpener:
        return StreamOpener(
            opening, attempt.header, attempt.response_key, attempt.method, attempt.target, status
        )

    return open_stream
