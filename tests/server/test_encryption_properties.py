"""Tampered sealed requests over HTTP: every variant is a 4xx with a stable code,
none is accepted, none is a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiaas.envelope import (
    HEADER,
    HYBRID_SUITE,
    SUITES,
    X25519_SUITE,
    EnvelopeError,
    EnvelopeHeader,
)
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness
from tests.server.sealing import LOW_ORDER_X25519, probe_header, seal

PREDICT = "/v1/models/quality-logreg/predict"
CODES = {
    "decryption_failed",
    "invalid_encryption_header",
    "unknown_key",
    "stale_request",
    "replayed_request",
}
SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def shared() -> Iterator[Harness]:
    yield from make_harness()


def check(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert 400 <= status < 500, (status, body)
    assert body["code"] in CODES, body


@SETTINGS
@given(data=st.data())
def test_tampered_bodies(shared: Harness, data: st.DataObject) -> None:
    sealed = seal(shared, "POST", PREDICT, {"inputs": [healthy_run()]})
    content = sealed.content or b""
    kind = data.draw(st.sampled_from(["flip", "truncate", "extend", "replace"]))
    if kind == "flip":
        at = data.draw(st.integers(0, len(content) - 1))
        content = (
            content[:at] + bytes([content[at] ^ data.draw(st.integers(1, 255))]) + content[at + 1 :]
        )
    elif kind == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif kind == "extend":
        content += data.draw(st.binary(min_size=1, max_size=32))
    else:
        content = data.draw(st.binary(max_size=200))
    check(shared.http.post(PREDICT, content=content, headers=sealed.headers))


@SETTINGS
@given(data=st.data())
def test_tampered_headers(shared: Harness, data: st.DataObject) -> None:
    sealed = seal(shared, "POST", PREDICT, {"inputs": [healthy_run()]})
    header = sealed.headers["Aiaas-Encryption"]
    kind = data.draw(st.sampled_from(["char", "drop", "insert"]))
    at = data.draw(st.integers(0, len(header) - 1))
    if kind == "char":
        replacement = data.draw(st.characters(min_codepoint=33, max_codepoint=126))
        if replacement == header[at]:
            return
        header = header[:at] + replacement + header[at + 1 :]
    elif kind == "drop":
        header = header[:at] + header[at + 1 :]
    else:
        header = (
            header[:at]
            + data.draw(st.text("0123456789abcdef;= ", min_size=1, max_size=4))
            + header[at:]
        )
    try:
        if EnvelopeHeader.decode(header) == sealed.attempt.header:
            return  # the same header written differently (spacing) is the same request
    except EnvelopeError:
        pass
    headers = {**sealed.headers, "Aiaas-Encryption": header}
    check(shared.http.post(PREDICT, content=sealed.content, headers=headers))


@pytest.mark.parametrize("suite", [X25519_SUITE, HYBRID_SUITE])
@pytest.mark.parametrize("point", LOW_ORDER_X25519)
def test_a_low_order_response_key_is_refused_not_a_500(
    shared: Harness, suite: str, point: bytes
) -> None:
    """The key is refused while the header is read, before anything uses it;
    without credentials the answer is authentication's (it comes first)."""
    size = SUITES[suite].public_key_size
    key = SUITES[suite].generate().public_bytes[: size - 32] + point
    header = {HEADER: probe_header(suite, key)}
    answer = shared.http.get("/v1/models", headers={**header, **shared.auth()})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_encryption_header"
    for path in ("/v1/models", PREDICT):
        answer = shared.http.request("GET" if path != PREDICT else "POST", path, headers=header)
        assert answer.status_code == 401, answer.text


@SETTINGS
@given(point=st.binary(min_size=32, max_size=32))
def test_any_response_key_is_a_4xx_never_a_500(shared: Harness, point: bytes) -> None:
    answer = shared.http.get(
        "/v1/models", headers={**shared.auth(), HEADER: probe_header(X25519_SUITE, point)}
    )
    assert answer.status_code < 500, answer.text
