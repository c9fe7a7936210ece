"""Flipped, truncated, extended and spliced ciphertexts and headers never open."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from aiaas.envelope import (
    SUITES,
    X25519_SUITE,
    EnvelopeError,
    EnvelopeHeader,
    open_request,
    open_response,
    seal_request,
    seal_response,
)

SERVER = SUITES[X25519_SUITE].generate()
RESPONSE = SUITES[X25519_SUITE].generate()
HEADER = EnvelopeHeader(
    X25519_SUITE, 1_800_000_000, "req_0123456789", RESPONSE.public_bytes, kid="k_1"
)
BODY = b'{"inputs":[{"torque":40.0,"tool_wear":120}]}'
SEALED = seal_request(BODY, HEADER, SERVER.public_bytes, "POST", "/v1/models/m/predict")
OTHER = seal_request(b'{"inputs":[]}', HEADER, SERVER.public_bytes, "POST", "/v1/x")
ANSWER = seal_response(
    b'{"ok":true}', HEADER, "POST", "/v1/models/m/predict", 200, "application/json"
)


def mutations(sealed: bytes) -> st.SearchStrategy[bytes]:
    size = len(sealed)
    flip = st.tuples(st.integers(0, size - 1), st.integers(1, 255)).map(
        lambda p: sealed[: p[0]] + bytes([sealed[p[0]] ^ p[1]]) + sealed[p[0] + 1 :]
    )
    truncate = st.integers(0, size - 1).map(lambda n: sealed[:n])
    extend = st.binary(min_size=1, max_size=64).map(lambda tail: sealed + tail)
    splice = st.integers(1, min(size, len(OTHER)) - 1).map(lambda cut: sealed[:cut] + OTHER[cut:])
    return st.one_of(flip, truncate, extend, splice)


def refuses(action: object) -> bool:
    try:
        action()  # type: ignore[operator]
    except EnvelopeError:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(variant=mutations(SEALED))
def test_no_altered_request_opens(variant: bytes) -> None:
    assert variant != SEALED
    assert refuses(lambda: open_request(variant, HEADER, SERVER, "POST", "/v1/models/m/predict"))


@settings(max_examples=300, deadline=None)
@given(variant=mutations(ANSWER))
def test_no_altered_answer_opens(variant: bytes) -> None:
    assert refuses(
        lambda: open_response(
            variant, HEADER, RESPONSE, "POST", "/v1/models/m/predict", 200, "application/json"
        )
    )


@settings(max_examples=300, deadline=None)
@given(
    timestamp=st.integers(0, 2**40),
    request_id=st.from_regex(r"[A-Za-z0-9._:-]{1,40}", fullmatch=True),
    kid=st.from_regex(r"k_[0-9a-f]{1,16}", fullmatch=True),
    content_type=st.sampled_from(["application/json", "text/csv", "application/x-ndjson"]),
)
def test_no_request_opens_under_another_header(
    timestamp: int, request_id: str, kid: str, content_type: str
) -> None:
    other = dataclasses.replace(
        HEADER, timestamp=timestamp, request_id=request_id, kid=kid, content_type=content_type
    )
    if other == HEADER:
        return
    assert refuses(lambda: open_request(SEALED, other, SERVER, "POST", "/v1/models/m/predict"))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_header_text_is_refused_or_decoded(text: str) -> None:
    try:
        header = EnvelopeHeader.decode(text)
    except EnvelopeError:
        return
    assert EnvelopeHeader.decode(header.encode()) == header
