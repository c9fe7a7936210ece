"""Builds sealed requests to an in-process app the way the SDK does, for server tests."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from aiaas._encryption import SealedAttempt, opened_response
from aiaas.envelope import (
    HEADER,
    MEDIA_TYPE,
    SUITES,
    X25519_SUITE,
    EnvelopeHeader,
    public_key_bytes,
    seal_request,
)
from tests.server.conftest import Harness


@dataclass
class Sealed:
    headers: dict[str, str]
    content: bytes | None
    attempt: SealedAttempt


LOW_ORDER_X25519 = [
    bytes(32),
    (1).to_bytes(32, "little"),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
]
"""X25519 points of small order: a shared secret with them is all zeros."""


def probe_header(suite: str, response_key: bytes) -> str:
    """An ``Aiaas-Encryption`` header for a body-less request, with any response key."""
    header = EnvelopeHeader(
        suite=suite,
        timestamp=int(time.time()),
        request_id="req_probe",
        response_key=response_key,
        kid=None,
        content_type="application/json",
    )
    return header.encode()


def server_key(harness: Harness, suite: str = X25519_SUITE) -> tuple[str, bytes]:
    keys = harness.http.get("/v1/encryption/keys").json()["data"]
    key = next(k for k in keys if k["suite"] == suite)
    return key["kid"], public_key_bytes(key["public_key"])


def seal(
    harness: Harness,
    method: str,
    target: str,
    body: Any = None,
    *,
    suite: str = X25519_SUITE,
    kid: str | None = None,
    timestamp: int | None = None,
) -> Sealed:
    """A sealed request for ``target`` (the path with its query) on ``harness``."""
    found_kid, public = server_key(harness, suite)
    response_key = SUITES[suite].generate()
    header = EnvelopeHeader(
        suite=suite,
        timestamp=int(time.time()) if timestamp is None else timestamp,
        request_id=f"req_{secrets.token_hex(8)}",
        response_key=response_key.public_bytes,
        kid=(kid or found_kid) if body is not None else None,
    )
    headers = {HEADER: header.encode(), **harness.auth()}
    content = None
    if body is not None:
        plain = json.dumps(body).encode()
        content = seal_request(plain, replace(header, kid=header.kid), public, method, target)
        headers["content-type"] = MEDIA_TYPE
    return Sealed(headers, content, SealedAttempt(header, response_key, method, target))


def send(harness: Harness, sealed: Sealed, path: str | None = None) -> Any:
    attempt = sealed.attempt
    return harness.http.request(
        attempt.method, path or attempt.target, content=sealed.content, headers=sealed.headers
    )


def opened(response: Any, sealed: Sealed) -> httpx.Response:
    """The answer, opened with the attempt's response key."""
    request = httpx.Request(sealed.attempt.method, f"http://testserver{sealed.attempt.target}")
    raw = httpx.Response(
        response.status_code,
        headers=list(response.headers.items()),
        content=response.content,
        request=request,
    )
    return opened_response(raw, sealed.attempt)
