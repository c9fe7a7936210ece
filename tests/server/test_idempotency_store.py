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
