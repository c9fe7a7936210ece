"""The idempotency record: claim, finish, release, mismatch, expiry."""

from __future__ import annotations

import time

import pytest

from aiaas_mock.store.database import Database
from aiaas_mock.store.idempotency import (
    Claimed,
    IdempotencyRepository,
    InProgress,
    Mismatch,
    StoredResponse,
)


@pytest.fixture
def repo() -> IdempotencyRepository:
    return IdempotencyRepository(Database(":memory:"), ttl=3600, lease=60)


ANSWER = StoredResponse(200, "application/json", b'{"ok":true}')


def test_claim_finish_replay(repo: IdempotencyRepository) -> None:
    assert repo.claim("t1", "k", b"fp") == Claimed()
    assert repo.claim("t1", "k", b"fp") == InProgress()
    repo.finish("t1", "k", ANSWER)
    assert repo.claim("t1", "k", b"fp") == ANSWER
    assert repo.claim("t1", "k", b"other") == Mismatch()


def test_keys_are_per_tenant(repo: IdempotencyRepository) -> None:
    assert repo.claim("t1", "k", b"fp") == Claimed()
    assert repo.claim("t2", "k", b"fp") == Claimed()


def test_release_lets_the_key_be_used_again(repo: IdempotencyRepository) -> None:
    repo.claim("t1", "k", b"fp")
    repo.release("t1", "k")
    assert repo.claim("t1", "k", b"other") == Claimed()


def test_release_keeps_finished_answers(repo: IdempotencyRepository) -> None:
    repo.claim("t1", "k", b"fp")
    repo.finish("t1", "k", ANSWER)
    repo.release("t1", "k")
    assert repo.claim("t1", "k", b"fp") == ANSWER


def test_abandoned_and_expired_records_are_taken_over() -> None:
    db = Database(":memory:")
    short = IdempotencyRepository(db, ttl=0.2, lease=0.05)
    short.claim("t1", "running", b"fp")
    short.claim("t1", "done", b"fp")
    short.finish("t1", "done", ANSWER)
    time.sleep(0.1)
    assert short.claim("t1", "running", b"fp") == Claimed()
    assert short.claim("t1", "done", b"fp") == ANSWER
    time.sleep(0.15)
    assert short.claim("t1", "done", b"other") == Claimed()


def test_answers_past_the_retention_are_forgotten_running_claims_kept() -> None:
    repo = IdempotencyRepository(Database(":memory:"), ttl=100, lease=1000)
    repo.claim("t", "old", b"fp")
    repo.finish("t", "old", ANSWER)
    repo.claim("t", "running", b"fp")
    assert repo.expire(now=time.time() + 50) == 0
    assert repo.expire(now=time.time() + 150) == 1
    assert repo.claim("t", "old", b"fp") == Claimed()  # forgotten: it may run again
    assert repo.claim("t", "running", b"fp") == InProgress()


def test_the_oldest_answers_go_beyond_the_byte_budget() -> None:
    repo = IdempotencyRepository(Database(":memory:"), ttl=3600, lease=60, max_bytes=3_500)
    body = StoredResponse(200, "application/json", b"x" * 1_000)
    for n in range(10):
        repo.claim("t", f"k{n}", b"fp")
        repo.finish("t", f"k{n}", body)
        time.sleep(0.001)  # distinct ages
    assert repo.stored_bytes() == 10_000
    assert repo.expire() == 7
    assert repo.stored_bytes() == 3_000
    assert [repo.claim("t", f"k{n}", b"fp") == body for n in range(7, 10)] == [True] * 3
    assert repo.claim("t", "k0", b"fp") == Claimed()


def test_a_running_server_keeps_its_stored_answers_within_the_budget() -> None:
    from fastapi.testclient import TestClient

    from aiaas_mock import Admin, ServerConfig, create_app
    from tests.helpers import healthy_run

    config = ServerConfig(instance_grace=0.25, idempotency_max_bytes=2_000)
    app = create_app(config)
    services = app.state.services
    admin = Admin.of(services)
    key = admin.issue_key(admin.get_or_create_tenant("soak").id)
    with TestClient(app) as http:
        for n in range(20):
            answer = http.post(
                "/v1/models/quality-logreg/predict",
                json={"inputs": [healthy_run()] * 3},
                headers={
                    "Authorization": f"Bearer {key.secret.reveal()}",
                    "Idempotency-Key": f"k{n}",
                },
            )
            assert answer.status_code == 200
        assert services.store.idempotency.stored_bytes() > 2_000
        deadline = time.monotonic() + 5
        while services.store.idempotency.stored_bytes() > 2_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0 < services.store.idempotency.stored_bytes() <= 2_000
    services.store.close()
