"""An idempotent replay is no way around a scope, nor a way to learn of a key:
the caller is authorised first, and stored answers belong to the credential
that made them."""

from __future__ import annotations

from tests.helpers import healthy_run
from tests.server.conftest import Harness

PREDICT = "/v1/models/quality-logreg/predict"


def test_a_read_only_key_gets_no_stored_prediction(harness: Harness) -> None:
    body = {"inputs": [healthy_run()]}
    headers = {**harness.auth(), "Idempotency-Key": "k-1"}
    assert harness.http.post(PREDICT, json=body, headers=headers).status_code == 200
    reader = harness.admin.issue_key(harness.tenant.id, scopes=["models:read"])
    as_reader = {**harness.auth(reader), "Idempotency-Key": "k-1"}
    replayed = harness.http.post(PREDICT, json=body, headers=as_reader)
    assert replayed.status_code == 403
    assert replayed.json()["code"] == "insufficient_scope"
    # Nor may it learn that the key exists: another body is a 403 too, not a 422.
    other = harness.http.post(
        PREDICT, json={"inputs": [healthy_run(torque=50.0)]}, headers=as_reader
    )
    assert other.status_code == 403


def test_stored_answers_belong_to_the_credential_that_made_them(harness: Harness) -> None:
    body = {"inputs": [healthy_run()]}
    first = harness.http.post(
        PREDICT, json=body, headers={**harness.auth(), "Idempotency-Key": "k-2"}
    )
    again = harness.http.post(
        PREDICT, json=body, headers={**harness.auth(), "Idempotency-Key": "k-2"}
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    colleague = harness.admin.issue_key(harness.tenant.id)
    theirs = harness.http.post(
        PREDICT, json=body, headers={**harness.auth(colleague), "Idempotency-Key": "k-2"}
    )
    assert theirs.status_code == 200
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != first.json()["id"]
