"""The attacks of the reliability review, repeated from outside against a real
server process over loopback: each must be refused the way the docs say, and
the server's log must stay free of tracebacks.

Marked ``reliability`` (run alone with ``-m reliability``); about 20 seconds.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aiaas.envelope import HEADER, HYBRID_SUITE, SUITES, X25519_SUITE
from aiaas_mock.zoo.examples import PROCESS_RUN
from tests.reliability.servers import Credentials, ServerProcess, provision, running
from tests.server.sealing import LOW_ORDER_X25519, probe_header

pytestmark = pytest.mark.reliability

PREDICT = "/v1/models/quality-logreg/predict"
GUESS_LIMIT = 10  # ServerConfig.auth_failure_limit


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Credentials]:
    db = tmp_path_factory.mktemp("attacks") / "aiaas.db"
    return db, provision(db)


@pytest.fixture(scope="module")
def server(database: tuple[Path, Credentials]) -> Iterator[ServerProcess]:
    with running(database[0], "--header-timeout", "1") as process:
        yield process
        assert "Traceback" not in process.log_text()


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def test_low_order_response_keys_are_refused_never_a_500(
    http: httpx.Client, database: tuple[Path, Credentials]
) -> None:
    """Item 1: before, an all-zero key was a 500 on any /v1 path, without
    credentials. Now: 401 without them (authentication comes first), 400 with."""
    key = {"Authorization": f"Bearer {database[1].full_key}"}
    for suite in (X25519_SUITE, HYBRID_SUITE):
        size = SUITES[suite].public_key_size
        prefix = SUITES[suite].generate().public_bytes[: size - 32]
        for point in LOW_ORDER_X25519:
            header = {HEADER: probe_header(suite, prefix + point)}
            for method, path in (("GET", "/v1/models"), ("POST", PREDICT)):
                answer = http.request(method, path, headers=header)
                assert answer.status_code == 401, answer.text
            answer = http.get("/v1/models", headers={**header, **key})
            assert answer.status_code == 400, answer.text
            assert answer.json()["code"] == "invalid_encryption_header"


def test_forwarded_for_does_not_reset_the_guess_limiter(
    http: httpx.Client, database: tuple[Path, Credentials]
) -> None:
    """Item 3: before, 50 wrong keys each with its own X-Forwarded-For got 50 401s.

    Wrong API keys and wrong client secrets count together, per address.
    """
    credentials = database[1]
    statuses = []
    for i in range(GUESS_LIMIT + 4):
        forwarded = {"X-Forwarded-For": f"198.51.100.{i}"}
        if i % 2:
            answer = http.post(
                "/v1/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(credentials.client_id, f"wrong-{i}"),
                headers=forwarded,
            )
        else:
            bearer = {"Authorization": f"Bearer aiaas_sk_wrong{i}"}
            answer = http.get("/v1/models", headers={**bearer, **forwarded})
        statuses.append(answer.status_code)
    assert statuses[:GUESS_LIMIT] == [401] * GUESS_LIMIT
    assert set(statuses[GUESS_LIMIT:]) == {429}
    # The genuine key keeps working from the same address.
    genuine = {"Authorization": f"Bearer {credentials.full_key}"}
    assert http.get("/v1/models", headers=genuine).status_code == 200


def test_a_read_only_key_cannot_replay_a_full_keys_answer(
    http: httpx.Client, database: tuple[Path, Credentials]
) -> None:
    """Item 4: before, the replay was answered before the scope check."""
    credentials = database[1]
    key = str(uuid.uuid4())
    body = json.dumps({"inputs": [PROCESS_RUN]})
    made = http.post(
        PREDICT,
        content=body,
        headers={
            "Authorization": f"Bearer {credentials.full_key}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    assert made.status_code == 200, made.text
    for probe_key in (key, str(uuid.uuid4())):  # a used key and an unused one look alike
        answer = http.post(
            PREDICT,
            content=body,
            headers={
                "Authorization": f"Bearer {credentials.read_only_key}",
                "Content-Type": "application/json",
                "Idempotency-Key": probe_key,
            },
        )
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "insufficient_scope"


def test_a_connection_dribbling_its_headers_is_closed(server: ServerProcess) -> None:
    """Slow-header clients cannot hold connections open (here a 1 s deadline)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        closed_after = None
        for _ in range(20):
            try:
                connection.sendall(b"X-A: b\r\n")
                time.sleep(0.25)
                if connection.recv(1, socket.MSG_DONTWAIT) == b"":
                    closed_after = time.monotonic() - started
                    break
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None
    assert closed_after < 3


def test_malformed_and_oversized_bodies_are_problems(
    http: httpx.Client, database: tuple[Path, Credentials]
) -> None:
    credentials_header = {
        "Authorization": f"Bearer {database[1].full_key}",
        "Content-Type": "application/json",
    }
    answers = [
        http.post(PREDICT, content=b"{" * 5000, headers=credentials_header),
        http.post(PREDICT, content=b"\xff\xfe", headers=credentials_header),
        http.post(PREDICT, content=b"x" * (33 * 2**20), headers=credentials_header),
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 413]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/problem+json")
