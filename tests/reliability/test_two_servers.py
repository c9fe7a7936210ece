"""Two server processes on one database file: an idempotency key runs once
whichever server hears it, guesses count once across both, and a revocation
made on one holds on the other at once.

Marked ``reliability`` (run alone with ``-m reliability``); about 20 seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from aiaas_mock.zoo.examples import PROCESS_RUN
from tests.reliability.servers import (
    Credentials,
    ServerProcess,
    predictions_made,
    provision,
    running,
)

pytestmark = pytest.mark.reliability

PREDICT = "/v1/models/quality-logreg/predict"
KEYS = 60


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Path, Credentials, ServerProcess, ServerProcess]]:
    db = tmp_path / "aiaas.db"
    credentials = provision(db)
    with running(db) as first, running(db) as second:
        yield db, credentials, first, second
        for server in (first, second):
            assert "Traceback" not in server.log_text()


def _predict_until_answered(base_url: str, api_key: str, idempotency_key: str) -> dict[str, str]:
    """POST with the key, retrying while the other server holds it (409)."""
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Idempotency-Key": idempotency_key,
    }
    body = json.dumps({"inputs": [PROCESS_RUN] * 4})
    deadline = time.monotonic() + 30
    with httpx.Client(base_url=base_url, timeout=30) as http:
        while time.monotonic() < deadline:
            answer = http.post(PREDICT, content=body, headers=headers)
            if answer.status_code == 409:
                time.sleep(0.05)
                continue
            assert answer.status_code == 200, answer.text
            return {
                "id": answer.json()["id"],
                "replayed": answer.headers.get("idempotent-replayed", ""),
            }
    raise AssertionError("the key stayed in progress")


def test_each_key_runs_once_across_two_servers(
    pair: tuple[Path, Credentials, ServerProcess, ServerProcess],
) -> None:
    db, credentials, first, second = pair
    keys = [str(uuid.uuid4()) for _ in range(KEYS)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(
            pool.map(
                lambda job: _predict_until_answered(*job),
                [
                    (server.base_url, credentials.full_key, key)
                    for key in keys
                    for server in (first, second)
                ],
            )
        )
    for key_index in range(KEYS):
        a, b = answers[2 * key_index], answers[2 * key_index + 1]
        assert a["id"] == b["id"]  # the same prediction, told twice
        assert "true" in (a["replayed"], b["replayed"])
    assert predictions_made(db, credentials.tenant_id) == KEYS


def test_guesses_count_once_across_servers(
    pair: tuple[Path, Credentials, ServerProcess, ServerProcess],
) -> None:
    """Each server counts in memory and writes its count once a second: within
    a second or two, both refuse what both together have seen."""
    _, _, first, second = pair
    guesses = iter(range(100))

    def guess(server: ServerProcess) -> int:
        answer = httpx.get(
            f"{server.base_url}/v1/models",
            headers={"Authorization": f"Bearer aiaas_sk_wrong{next(guesses)}"},
        )
        return answer.status_code

    statuses = [guess((first, second)[i % 2]) for i in range(14)]
    assert statuses == [401] * 14  # seven each: neither has seen ten yet
    for _ in range(2):
        time.sleep(1.1)  # each writes its count and reads the other's at its next guess
        statuses = [guess(first), guess(second)]
    assert statuses == [429, 429]


def test_a_revocation_holds_on_both_servers_at_once(
    pair: tuple[Path, Credentials, ServerProcess, ServerProcess],
) -> None:
    db, credentials, first, second = pair
    bearer = {"Authorization": f"Bearer {credentials.full_key}"}
    for server in (first, second):
        assert httpx.get(f"{server.base_url}/v1/models", headers=bearer).status_code == 200
    subprocess.run(
        [
            sys.executable,
            "-m",
            "aiaas_mock",
            "keys",
            "revoke",
            "--db",
            str(db),
            credentials.full_key_id,
        ],
        check=True,
        capture_output=True,
    )
    for server in (first, second):
        answer = httpx.get(f"{server.base_url}/v1/models", headers=bearer)
        assert answer.status_code == 401
        assert answer.json()["code"] == "revoked_api_key"
