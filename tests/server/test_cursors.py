"""Signed pagination cursors."""

from __future__ import annotations

import base64

import pytest

from aiaas_mock.api.cursors import CursorCodec
from aiaas_mock.api.problems import ProblemError
from tests.server.conftest import Harness
from tests.server.test_problems import assert_problem


def test_round_trip() -> None:
    codec = CursorCodec(b"k" * 32)
    assert codec.decode("list-a", codec.encode("list-a", 42)) == 42


@pytest.mark.parametrize(
    "cursor", ["", "x", "!!!!", "AAAA", base64.urlsafe_b64encode(b"\0" * 40).decode(), "é"]
)
def test_garbage_is_refused(cursor: str) -> None:
    with pytest.raises(ProblemError) as caught:
        CursorCodec(b"k" * 32).decode("list-a", cursor)
    assert caught.value.status == 400
    assert caught.value.code == "invalid_cursor"


def test_tampering_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    raw = bytearray(base64.urlsafe_b64decode(codec.encode("list-a", 42) + "=="))
    raw[-3] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(ProblemError):
        codec.decode("list-a", forged)


def test_the_signature_itself_is_checked() -> None:
    """A position moved (42 to 99) with the list digest left valid: only the HMAC
    can tell, so this fails if the signature check is gone."""
    codec = CursorCodec(b"k" * 32)
    raw = base64.urlsafe_b64decode(codec.encode("list-a", 42) + "==")
    tag, payload = raw[:16], raw[16:]
    moved = payload.replace(b'"p":42', b'"p":99')
    assert moved != payload
    forged = base64.urlsafe_b64encode(tag + moved).rstrip(b"=").decode()
    with pytest.raises(ProblemError, match="not one this server issued"):
        codec.decode("list-a", forged)


def test_other_lists_and_other_servers_are_refused() -> None:
    cursor = CursorCodec(b"k" * 32).encode("list-a", 42)
    with pytest.raises(ProblemError, match="another list"):
        CursorCodec(b"k" * 32).decode("list-b", cursor)
    with pytest.raises(ProblemError):
        CursorCodec(b"j" * 32).decode("list-a", cursor)


def test_forged_and_foreign_cursors_over_http(harness: Harness) -> None:
    first = harness.http.get("/v1/models?limit=1", headers=harness.auth()).json()
    cursor = first["next_cursor"]
    assert cursor
    ok = harness.http.get(f"/v1/models?limit=1&after={cursor}", headers=harness.auth())
    assert ok.status_code == 200
    forged = harness.http.get("/v1/models?after=eyJwIjoxfQ", headers=harness.auth())
    assert_problem(forged, 400, "invalid_cursor")
    filtered = harness.http.get(
        f"/v1/models?task=clustering&after={cursor}", headers=harness.auth()
    )
    assert_problem(filtered, 400, "invalid_cursor")
    other = harness.admin.create_tenant("other")
    foreign = harness.http.get(
        f"/v1/models?after={cursor}", headers=harness.auth(harness.admin.issue_key(other.id))
    )
    assert_problem(foreign, 400, "invalid_cursor")
