"""The aiaas-hpke/1 protocol itself: sealing, opening, and what each message binds."""

from __future__ import annotations

import dataclasses

import pytest

from aiaas.envelope import (
    HYBRID_SUITE,
    SUITES,
    X25519_SUITE,
    EnvelopeError,
    EnvelopeHeader,
    KeyPair,
    encapsulation,
    open_request,
    open_response,
    seal_request,
    seal_response,
)

BODY = b'{"inputs":[{"torque":40.0}],"parameters":{}}'


def make(
    suite: str = X25519_SUITE, kid: str | None = "k_1"
) -> tuple[KeyPair, KeyPair, EnvelopeHeader]:
    server = SUITES[suite].generate()
    response = SUITES[suite].generate()
    header = EnvelopeHeader(
        suite=suite,
        timestamp=1_800_000_000,
        request_id="req_0123456789",
        response_key=response.public_bytes,
        kid=kid,
    )
    return server, response, header


@pytest.mark.parametrize("suite", list(SUITES))
def test_request_and_response_round_trip(suite: str) -> None:
    server, response_key, header = make(suite)
    sealed = seal_request(BODY, header, server.public_bytes, "POST", "/v1/m?x=1")
    assert BODY not in sealed
    assert len(sealed) == SUITES[suite].enc_size + len(BODY) + 16
    assert open_request(sealed, header, server, "POST", "/v1/m?x=1") == BODY
    answer = seal_response(b'{"ok":1}', header, "POST", "/v1/m?x=1", 200, "application/json")
    assert (
        open_response(answer, header, response_key, "POST", "/v1/m?x=1", 200, "application/json")
        == b'{"ok":1}'
    )


def test_the_hybrid_suite_is_post_quantum_sized() -> None:
    assert SUITES[HYBRID_SUITE].enc_size == 1120
    assert SUITES[HYBRID_SUITE].public_key_size == 1216


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"target": "/v1/other"},
        {"target": "/v1/m?x=2"},
        {"timestamp": 1_800_000_001},
        {"request_id": "req_other00000"},
        {"kid": "k_2"},
        {"content_type": "text/csv"},
        {"response_key": SUITES[X25519_SUITE].generate().public_bytes},
    ],
)
def test_a_request_opens_only_for_what_it_was_sealed_for(change: dict[str, object]) -> None:
    server, _, header = make()
    sealed = seal_request(BODY, header, server.public_bytes, "POST", "/v1/m?x=1")
    method = str(change.pop("method", "POST"))
    target = str(change.pop("target", "/v1/m?x=1"))
    moved = dataclasses.replace(header, **change)  # type: ignore[arg-type]
    with pytest.raises(EnvelopeError) as caught:
        open_request(sealed, moved, server, method, target)
    assert caught.value.code == "decryption_failed"


@pytest.mark.parametrize(
    ("status", "content_type"), [(500, "application/json"), (200, "text/plain")]
)
def test_a_response_is_bound_to_its_status_and_type(status: int, content_type: str) -> None:
    _, response_key, header = make()
    answer = seal_response(b"{}", header, "GET", "/v1/m", 200, "application/json")
    with pytest.raises(EnvelopeError):
        open_response(answer, header, response_key, "GET", "/v1/m", status, content_type)


def test_the_wrong_server_key_does_not_open() -> None:
    server, _, header = make()
    sealed = seal_request(BODY, header, server.public_bytes, "POST", "/v1/m")
    with pytest.raises(EnvelopeError):
        open_request(sealed, header, SUITES[X25519_SUITE].generate(), "POST", "/v1/m")


def test_each_seal_has_a_fresh_encapsulation() -> None:
    server, _, header = make()
    first = seal_request(BODY, header, server.public_bytes, "POST", "/v1/m")
    second = seal_request(BODY, header, server.public_bytes, "POST", "/v1/m")
    assert encapsulation(first, X25519_SUITE) != encapsulation(second, X25519_SUITE)


@pytest.mark.parametrize("suite", list(SUITES))
def test_header_round_trip(suite: str) -> None:
    _, _, header = make(suite)
    assert EnvelopeHeader.decode(header.encode()) == header
    bare = dataclasses.replace(header, kid=None, content_type="text/csv")
    assert EnvelopeHeader.decode(bare.encode()) == bare


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v=2; suite=x25519-sha256-aes256gcm; ts=1; rid=req_1; type=a/b; rk=AAAA",
        "v=1; suite=rot13; ts=1; rid=req_1; type=a/b; rk=" + "A" * 43,
        "v=1; suite=x25519-sha256-aes256gcm; ts=soon; rid=req_1; type=a/b; rk=" + "A" * 43,
        "v=1; suite=x25519-sha256-aes256gcm; ts=1; rid=req 1; type=a/b; rk=" + "A" * 43,
        "v=1; suite=x25519-sha256-aes256gcm; ts=1; rid=req_1; type=a/b; rk=AAAA",
        "v=1; suite=x25519-sha256-aes256gcm; ts=1; rid=req_1; type=a/b; rk=" + "A" * 43 + "; x=1",
        "v=1; v=1; suite=x25519-sha256-aes256gcm; ts=1; rid=req_1; type=a/b; rk=" + "A" * 43,
        "v=1; suite=x25519-sha256-aes256gcm; ts=1; rid=req_1; type=a/b; rk=!!!!",
        "v=1; " + "x" * 5000,
    ],
)
def test_malformed_headers(text: str) -> None:
    with pytest.raises(EnvelopeError) as caught:
        EnvelopeHeader.decode(text)
    assert caught.value.code == "invalid_encryption_header"


def test_private_keys_never_show() -> None:
    pair = SUITES[HYBRID_SUITE].generate()
    assert pair.private_bytes.hex() not in repr(pair)
    assert "redacted" in repr(pair)


def test_hybrid_keys_survive_their_stored_form() -> None:
    pair = SUITES[HYBRID_SUITE].generate()
    again = KeyPair(pair.suite, bytes(pair.private_bytes))
    assert again.public_bytes == pair.public_bytes
