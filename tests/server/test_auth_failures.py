"""Guessing credentials gets slow: failures from one address become 429s."""

from __future__ import annotations

import time
from pathlib import Path

from aiaas_mock import ServerConfig
from aiaas_mock.api.auth_failures import AuthFailureLimiter
from aiaas_mock.api.problems import ProblemError
from aiaas_mock.store.database import Database
from tests.server.conftest import make_harness
from tests.server.test_oauth import basic, token_call

ERROR = ProblemError(401, "invalid_api_key", "no")


def test_limiter_counts_a_sliding_window() -> None:
    now = [0.0]
    limiter = AuthFailureLimiter(Database(":memory:"), limit=3, window=10, clock=lambda: now[0])
    assert [limiter.failed("a", ERROR).status for _ in range(3)] == [401, 401, 401]
    blocked = limiter.failed("a", ERROR)
    assert blocked.status == 429
    assert blocked.code == "too_many_auth_failures"
    assert blocked.options["headers"]["Retry-After"] == "10"
    assert limiter.failed("b", ERROR).status == 401  # another address
    now[0] = 10.5
    assert limiter.failed("a", ERROR).status == 401


def test_guessing_keys_is_throttled_but_valid_keys_keep_working() -> None:
    for harness in make_harness(ServerConfig(auth_failure_limit=5, auth_failure_window=0.5)):
        statuses = [
            harness.http.get(
                "/v1/models", headers={"Authorization": f"Bearer guess-{n}"}
            ).status_code
            for n in range(8)
        ]
        assert statuses == [401] * 5 + [429] * 3
        throttled = harness.http.get("/v1/models", headers={"Authorization": "Bearer guess"})
        assert throttled.json()["code"] == "too_many_auth_failures"
        assert int(throttled.headers["retry-after"]) >= 1
        # Another tenant from the same address is not locked out.
        assert harness.http.get("/v1/models", headers=harness.auth()).status_code == 200
        time.sleep(0.6)
        again = harness.http.get("/v1/models", headers={"Authorization": "Bearer guess"})
        assert again.status_code == 401


def test_guessing_client_secrets_is_throttled() -> None:
    for harness in make_harness(ServerConfig(auth_failure_limit=3)):
        client = harness.admin.create_client(harness.tenant.id)
        statuses = [
            token_call(
                harness, "grant_type=client_credentials", basic(client.id, f"guess{n}")
            ).status_code
            for n in range(5)
        ]
        assert statuses == [401, 401, 401, 429, 429]
        right = token_call(
            harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
        )
        assert right.status_code == 200


def test_expired_and_revoked_credentials_are_not_counted_as_guesses() -> None:
    for harness in make_harness(ServerConfig(auth_failure_limit=2)):
        key = harness.admin.issue_key(harness.tenant.id)
        harness.admin.revoke_key(key.id)
        codes = {
            harness.http.get("/v1/models", headers=harness.auth(key)).json()["code"]
            for _ in range(5)
        }
        assert codes == {"revoked_api_key"}


def test_tokens_of_revoked_clients_say_so_and_are_not_counted_as_guesses() -> None:
    for harness in make_harness(ServerConfig(auth_failure_limit=2)):
        client = harness.admin.create_client(harness.tenant.id)
        grant = token_call(
            harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
        )
        bearer = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        harness.admin.revoke_client(client.id)
        answers = [harness.http.get("/v1/models", headers=bearer) for _ in range(12)]
        assert {(a.status_code, a.json()["code"]) for a in answers} == {(401, "token_revoked")}


def test_memory_stays_bounded_under_address_spraying() -> None:
    now = [0.0]
    limiter = AuthFailureLimiter(Database(":memory:"), limit=3, window=10, clock=lambda: now[0])
    for n in range(1000):
        now[0] += 0.1
        limiter.failed(f"10.0.{n // 256}.{n % 256}", ERROR)
    assert limiter.tracked() <= 101  # one window of failures: 10 s at 10 a second


def test_processes_on_one_database_count_together(tmp_path: Path) -> None:
    """Two servers on one database file: the limit holds for both together, each
    seeing the other's failures within a flush (a second)."""
    config = ServerConfig(db_path=str(tmp_path / "aiaas.db"), auth_failure_limit=4)
    wrong = {"Authorization": "Bearer aiaas_sk_wrong"}
    for one in make_harness(config):
        for two in make_harness(config):
            first = [s.http.get("/v1/models", headers=wrong).status_code for s in (one, two) * 2]
            later = []
            for _ in range(2):
                time.sleep(1.1)  # each flushes at its next failure
                later += [s.http.get("/v1/models", headers=wrong).status_code for s in (one, two)]
    assert first == [401] * 4  # each has seen at most three
    # Six failures in all once both flushed: the second to flush sees them all.
    assert later[1] == 429
    assert later[2:] == [429, 429]


def test_failures_are_written_together_not_one_by_one() -> None:
    now = [0.0]
    database = Database(":memory:")
    limiter = AuthFailureLimiter(database, limit=1000, window=60, clock=lambda: now[0])
    writes = 0
    transaction = database.transaction

    def counted() -> object:
        nonlocal writes
        writes += 1
        return transaction()

    database.transaction = counted  # type: ignore[method-assign,assignment]
    for _ in range(2000):
        now[0] += 0.005  # 200 a second for ten seconds
        limiter.failed("10.0.0.1", ERROR)
    assert writes <= 11
    limiter.flush()
    assert limiter.tracked() == 2000
