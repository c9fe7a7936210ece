"""The encrypted-payload protocol (``aiaas-hpke/1``), shared by the SDK and the server.

Bodies are sealed with HPKE (RFC 9180) in base mode, single-shot, through
``cryptography.hazmat.primitives.hpke``. docs/protocol.md describes the byte
layout, the headers and the threat model; this module is its implementation and
performs no I/O.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import (
    AEAD,
    KDF,
    KEM,
    MLKEM768X25519PrivateKey,
    MLKEM768X25519PublicKey,
    Suite,
)

from ._constants import ENCRYPTION_HEADER, SEALED_MEDIA_TYPE
from ._constants import HYBRID_SUITE as _HYBRID_SUITE
from ._constants import X25519_SUITE as _X25519_SUITE

__all__ = [
    "HEADER",
    "MEDIA_TYPE",
    "SUITES",
    "EnvelopeError",
    "EnvelopeHeader",
    "KeyPair",
    "StreamOpener",
    "StreamSealer",
    "SuiteSpec",
    "open_request",
    "open_response",
    "seal_request",
    "seal_response",
    "stream_event_bytes",
    "stream_event_data",
]

VERSION: Final = "1"
HEADER: Final = ENCRYPTION_HEADER
MEDIA_TYPE: Final = SEALED_MEDIA_TYPE
"""The content type of a sealed body: HPKE ``enc`` followed by the AEAD ciphertext."""

X25519_SUITE: Final = _X25519_SUITE
HYBRID_SUITE: Final = _HYBRID_SUITE

_TOKEN = re.compile(r"[A-Za-z0-9._:/+-]{1,128}")
_MAX_HEADER = 4096


class EnvelopeError(ValueError):
    """A sealed message or its header is malformed, or does not open.

    The message names what failed, never any plaintext or key material.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


PrivateKey = x25519.X25519PrivateKey | MLKEM768X25519PrivateKey
PublicKey = x25519.X25519PublicKey | MLKEM768X25519PublicKey


@dataclass(frozen=True)
class SuiteSpec:
    """An HPKE cipher suite and how its keys are written on the wire."""

    name: str
    kem: KEM
    public_key_size: int

    @functools.cached_property
    def hpke(self) -> Suite:
        return Suite(self.kem, KDF.HKDF_SHA256, AEAD.AES_256_GCM)

    @property
    def enc_size(self) -> int:
        return int(self.kem.enc_length())

    def generate(self) -> KeyPair:
        classic = x25519.X25519PrivateKey.generate()
        if self.kem == KEM.X25519:
            pair = KeyPair(self, classic.private_bytes_raw())
            key: PrivateKey = classic
            public = classic.public_key().public_bytes_raw()
        else:
            quantum = mlkem.MLKEM768PrivateKey.generate()
            pair = KeyPair(self, quantum.private_bytes_raw() + classic.private_bytes_raw())
            key = MLKEM768X25519PrivateKey(quantum, classic)
            public = (
                quantum.public_key().public_bytes_raw() + classic.public_key().public_bytes_raw()
            )
        # Fill the caches from the objects at hand rather than derive them again.
        pair.__dict__["private_key"] = key
        pair.__dict__["public_bytes"] = public
        return pair

    def public_key(self, raw: bytes) -> PublicKey:
        """The public key from its wire form; a malformed one is an ``EnvelopeError``."""
        if len(raw) != self.public_key_size:
            raise EnvelopeError("invalid_encryption_header", "The public key has a wrong size.")
        try:
            classic = x25519.X25519PublicKey.from_public_bytes(raw[-32:])
            # A low-order point (all zeros, among others) gives an all-zero shared
            # secret, which HPKE refuses only when sealing: refuse it here instead.
            _PROBE.exchange(classic)
            if self.kem == KEM.X25519:
                return classic
            return MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(raw[:-32]), classic
            )
        except ValueError:
            raise EnvelopeError(
                "invalid_encryption_header", "The public key is malformed."
            ) from None


_PROBE = x25519.X25519PrivateKey.generate()
"""A throwaway key, to find public keys no exchange can use."""

SUITES: Final = {
    X25519_SUITE: SuiteSpec(X25519_SUITE, KEM.X25519, 32),
    HYBRID_SUITE: SuiteSpec(HYBRID_SUITE, KEM.MLKEM768_X25519, 1184 + 32),
}


def suite(name: str) -> SuiteSpec:
    try:
        return SUITES[name]
    except KeyError:
        raise EnvelopeError("invalid_encryption_header", "Unknown suite.") from None


@dataclass(frozen=True, repr=False)
class KeyPair:
    """A private key in its stored form (X25519: 32 bytes; hybrid: the 64-byte
    ML-KEM-768 seed followed by the 32-byte X25519 key) with its suite.
    """

    suite: SuiteSpec
    private_bytes: bytes

    # Deriving key objects costs tens of microseconds each time; a pair derives once.
    @functools.cached_property
    def private_key(self) -> PrivateKey:
        if self.suite.kem == KEM.X25519:
            return x25519.X25519PrivateKey.from_private_bytes(self.private_bytes)
        return MLKEM768X25519PrivateKey(
            mlkem.MLKEM768PrivateKey.from_seed_bytes(self.private_bytes[:64]),
            x25519.X25519PrivateKey.from_private_bytes(self.private_bytes[64:]),
        )

    @functools.cached_property
    def public_bytes(self) -> bytes:
        """The public key in its wire form."""
        if self.suite.kem == KEM.X25519:
            return (
                x25519.X25519PrivateKey.from_private_bytes(self.private_bytes)
                .public_key()
                .public_bytes_raw()
            )
        return (
            mlkem.MLKEM768PrivateKey.from_seed_bytes(self.private_bytes[:64])
            .public_key()
            .public_bytes_raw()
            + x25519.X25519PrivateKey.from_private_bytes(self.private_bytes[64:])
            .public_key()
            .public_bytes_raw()
        )

    def __repr__(self) -> str:
        return f"KeyPair(suite={self.suite.name!r}, private_bytes=<redacted>)"


@dataclass(frozen=True)
class EnvelopeHeader:
    """The ``Aiaas-Encryption`` request header.

    ``kid`` names the server key a sealed body was sealed to (``None`` for a
    request without a body that only asks for a sealed answer); ``response_key``
    is the one-time public key the answer must be sealed to.
    """

    suite: str
    timestamp: int
    request_id: str
    response_key: bytes
    kid: str | None = None
    content_type: str = "application/json"

    def encode(self) -> str:
        parts = [
            f"v={VERSION}",
            f"suite={self.suite}",
            f"ts={self.timestamp}",
            f"rid={self.request_id}",
            f"type={self.content_type}",
        ]
        if self.kid is not None:
            parts.append(f"kid={self.kid}")
        parts.append(f"rk={_b64(self.response_key)}")
        return "; ".join(parts)

    @classmethod
    def decode(cls, value: str) -> EnvelopeHeader:
        """The header from its text; anything malformed is an ``EnvelopeError``."""
        if len(value) > _MAX_HEADER:
            raise _bad_header("too long")
        fields: dict[str, str] = {}
        for part in value.split(";"):
            name, sep, item = part.strip().partition("=")
            if not sep or name in fields:
                raise _bad_header("malformed")
            fields[name] = item
        if fields.pop("v", None) != VERSION:
            raise _bad_header("unsupported version")
        try:
            header = cls(
                suite=fields.pop("suite"),
                timestamp=int(fields.pop("ts")),
                request_id=fields.pop("rid"),
                response_key=_unb64(fields.pop("rk")),
                kid=fields.pop("kid", None),
                content_type=fields.pop("type"),
            )
        except (KeyError, ValueError):
            raise _bad_header("a field is missing or malformed") from None
        if fields:
            raise _bad_header("unknown fields")
        for token in (header.suite, header.request_id, header.content_type, header.kid or "x"):
            if not _TOKEN.fullmatch(token):
                raise _bad_header("a field has characters it may not have")
        header.response_public_key  # noqa: B018 -- parsing it checks it
        return header

    # A frozen dataclass still takes a cached_property: it writes the instance dict.
    @functools.cached_property
    def response_public_key(self) -> PublicKey:
        """The one-time key the answer is sealed to, parsed and checked once."""
        return suite(self.suite).public_key(self.response_key)

    def binding(self, method: str, target: str) -> list[bytes]:
        """What both directions bind: the request line, time, id and response key."""
        return [
            method.upper().encode(),
            target.encode(),
            str(self.timestamp).encode(),
            self.request_id.encode(),
            hashlib.sha256(self.response_key).hexdigest().encode(),
        ]


def request_info(header: EnvelopeHeader, method: str, target: str) -> bytes:
    """HPKE ``info`` of a sealed request: ``target`` is the path with its query."""
    parts = [
        b"aiaas-hpke/1 request",
        *header.binding(method, target),
        (header.kid or "").encode(),
        header.content_type.encode(),
    ]
    return b"\0".join(parts)


def response_info(
    header: EnvelopeHeader, method: str, target: str, status: int, content_type: str
) -> bytes:
    """HPKE ``info`` of a sealed response to the request ``header`` came with."""
    parts = [
        b"aiaas-hpke/1 response",
        *header.binding(method, target),
        str(status).encode(),
        content_type.encode(),
    ]
    return b"\0".join(parts)


def seal_request(
    body: bytes, header: EnvelopeHeader, server_key: bytes, method: str, target: str
) -> bytes:
    """``body`` sealed to the server's public key (wire form) for this request line."""
    spec = suite(header.suite)
    return spec.hpke.encrypt(
        body, _server_public_key(spec, server_key), info=request_info(header, method, target)
    )


@functools.lru_cache(maxsize=32)
def _server_public_key(spec: SuiteSpec, raw: bytes) -> PublicKey:
    # A client seals many requests to the same few server keys; parsing and
    # checking one (a trial key exchange) costs about a fifth of sealing.
    return spec.public_key(raw)


def open_request(
    sealed: bytes, header: EnvelopeHeader, server_key: KeyPair, method: str, target: str
) -> bytes:
    """The body of a sealed request; ``EnvelopeError`` if it does not open."""
    return _open(server_key, sealed, request_info(header, method, target))


def seal_response(
    body: bytes,
    header: EnvelopeHeader,
    method: str,
    target: str,
    status: int,
    content_type: str,
) -> bytes:
    """An answer sealed to the one-time key its request named."""
    info = response_info(header, method, target, status, content_type)
    return suite(header.suite).hpke.encrypt(body, header.response_public_key, info=info)


def open_response(
    sealed: bytes,
    header: EnvelopeHeader,
    response_key: KeyPair,
    method: str,
    target: str,
    status: int,
    content_type: str,
) -> bytes:
    """The body of a sealed answer; ``EnvelopeError`` if it does not open."""
    return _open(response_key, sealed, response_info(header, method, target, status, content_type))


STREAM_MEDIA_TYPE: Final = "text/event-stream"
STREAM_KEY_EVENT: Final = "aiaas-stream-key"
"""The first event of a sealed stream: the stream key, HPKE-sealed to the response key."""
STREAM_FRAME_EVENT: Final = "aiaas-sealed"
"""Every later event: one frame of the plaintext stream's bytes."""

_STREAM_KEY_SIZE = 32
_MORE, _LAST = b"\x00", b"\x01"


def stream_event_data(raw: bytes) -> str:
    """A sealed stream event's ``data``: base64url without padding."""
    return _b64(raw)


def stream_event_bytes(text: str) -> bytes:
    """The bytes of a sealed stream event's ``data``; ``ValueError`` if malformed."""
    return _unb64(text)


def _frame_aad(sequence: int, flag: bytes) -> bytes:
    return b"aiaas-hpke/1 stream\0" + sequence.to_bytes(8, "big") + flag


class StreamSealer:
    """Seals an answer that is sent as it is made (``text/event-stream``).

    A fresh AES-256-GCM key is sealed once with HPKE to the response key, bound
    like any answer (request line, time, id, status); then every frame is sealed
    under that key with its sequence number as the nonce and, in the associated
    data, the number and whether it is the last frame. So the opener refuses a
    frame that was dropped, reordered, replayed or moved to another stream, and
    a stream that stops before its last frame.
    """

    def __init__(self, header: EnvelopeHeader, method: str, target: str, status: int) -> None:
        key = os.urandom(_STREAM_KEY_SIZE)
        self.opening: bytes = seal_response(key, header, method, target, status, STREAM_MEDIA_TYPE)
        """The stream key, sealed to the response key: the first event's data."""
        self._aead = AESGCM(key)
        self._sequence = 0
        self.finished: bool = False

    def seal(self, chunk: bytes, *, last: bool = False) -> bytes:
        """One frame: a flag byte, then ``chunk`` sealed."""
        if self.finished:
            raise EnvelopeError("decryption_failed", "The sealed stream has ended.")
        flag = _LAST if last else _MORE
        nonce = self._sequence.to_bytes(12, "big")
        sealed = self._aead.encrypt(nonce, chunk, _frame_aad(self._sequence, flag))
        self._sequence += 1
        self.finished = last
        return flag + sealed


class StreamOpener:
    """Opens the frames of a stream sealed by :class:`StreamSealer`, in order."""

    def __init__(
        self,
        opening: bytes,
        header: EnvelopeHeader,
        response_key: KeyPair,
        method: str,
        target: str,
        status: int,
    ) -> None:
        key = open_response(
            opening, header, response_key, method, target, status, STREAM_MEDIA_TYPE
        )
        if len(key) != _STREAM_KEY_SIZE:
            raise EnvelopeError("decryption_failed", "The stream key has a wrong size.")
        self._aead = AESGCM(key)
        self._sequence = 0
        self.finished: bool = False

    def open(self, frame: bytes) -> bytes:
        """The plaintext of the next frame; ``EnvelopeError`` if it is not the next one."""
        if self.finished:
            raise EnvelopeError("decryption_failed", "A frame arrived after the last one.")
        flag, sealed = frame[:1], frame[1:]
        if flag not in (_MORE, _LAST) or len(sealed) < 16:
            raise EnvelopeError("decryption_failed", "A sealed frame is malformed.")
        nonce = self._sequence.to_bytes(12, "big")
        try:
            plain = self._aead.decrypt(nonce, sealed, _frame_aad(self._sequence, flag))
        except InvalidTag:
            raise EnvelopeError(
                "decryption_failed",
                "A sealed frame does not open: frames were dropped, reordered, "
                "replayed or altered on the way.",
            ) from None
        self._sequence += 1
        self.finished = flag == _LAST
        return plain


def encapsulation(sealed: bytes, suite_name: str) -> bytes:
    """The HPKE ``enc`` at the start of a sealed message (what replay checks remember)."""
    return sealed[: suite(suite_name).enc_size]


def _open(key: KeyPair, sealed: bytes, info: bytes) -> bytes:
    if len(sealed) < key.suite.enc_size + 16:
        raise EnvelopeError("decryption_failed", "The sealed body is too short.")
    try:
        return key.suite.hpke.decrypt(sealed, key.private_key, info=info)
    except (InvalidTag, ValueError):
        raise EnvelopeError(
            "decryption_failed",
            "The sealed body does not open with this key for this request.",
        ) from None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bad_header(why: str) -> EnvelopeError:
    return EnvelopeError("invalid_encryption_header", f"The {HEADER} header is invalid: {why}.")


def public_key_text(raw: bytes) -> str:
    """A public key as it appears in key lists and headers (base64url, no padding)."""
    return _b64(raw)


def public_key_bytes(text: str) -> bytes:
    return _unb64(text)
