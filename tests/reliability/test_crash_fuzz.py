"""Fifty kill -9s at random moments while uploads, keyed calls and jobs are in
flight, each followed by a restart on the same database: nothing acknowledged is
lost, no keyed call runs twice, no dataset is left half there and no job is left
running or queued.

Marked ``reliability``; about a minute and a half (a server starts in a second).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import healthy_run
from tests.reliability.servers import ServerProcess, predictions_made, provision, start
from tests.tables import machining_runs

pytestmark = pytest.mark.reliability

ROUNDS = 50
DATASET = machining_runs(rows=300)


class Round:
    """What one server's life acknowledged before it was killed."""

    def __init__(self, number: int, server: ServerProcess, key: str) -> None:
        self.number = number
        self.http = httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        self.datasets: dict[str, int] = {}
        self.answers: dict[str, Any] = {}
        self.keys: list[str] = []
        self.jobs: list[str] = []
        self.statuses: list[int] = []

    def upload(self) -> None:
        answer = self.http.post(
            f"/v1/datasets?name=round-{self.number}&format=csv&target=failed", content=DATASET
        )
        self.statuses.append(answer.status_code)
        if answer.status_code == 201:
            self.datasets[answer.json()["id"]] = answer.json()["rows"]

    def keyed_calls(self) -> None:
        for i in range(4):
            key = f"round-{self.number}-{i}"
            self.keys.append(key)
            answer = self.http.post(
                "/v1/models/quality-logreg/predict",
                json={"inputs": [healthy_run()] * 50},
                headers={"Idempotency-Key": key},
            )
            self.statuses.append(answer.status_code)
            if answer.status_code == 200:
                self.answers[key] = answer.json()

    def training(self, dataset_id: str) -> None:
        answer = self.http.post(
            "/v1/training-jobs",
            json={
                "model": "logistic-regression",
                "dataset_id": dataset_id,
                "target": "failed",
                "features": ["speed", "torque", "tool_wear"],
                "validation": {"cv_folds": 3},
            },
        )
        self.statuses.append(answer.status_code)
        if answer.status_code == 201:
            self.jobs.append(answer.json()["id"])


def _quietly(action: Any, *args: Any) -> None:
    # The server is killed under it: what it acknowledged is what counts.
    with contextlib.suppress(httpx.TransportError):
        action(*args)


def test_fifty_kills_lose_nothing_and_run_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "aiaas.db"
    credentials = provision(db)
    rng = random.Random(24)
    rounds: list[Round] = []
    for number in range(ROUNDS):
        server = start(db, "--job-workers", "1")
        done = Round(number, server, credentials.full_key)
        known = [d for r in rounds for d in r.datasets]
        actions = [threading.Thread(target=_quietly, args=(done.upload,))]
        actions.append(threading.Thread(target=_quietly, args=(done.keyed_calls,)))
        if known:
            actions.append(threading.Thread(target=_quietly, args=(done.training, known[-1])))
        for action in actions:
            action.start()
        time.sleep(rng.uniform(0.02, 0.8))
        server.kill()
        for action in actions:
            action.join(timeout=30)
        done.http.close()
        rounds.append(done)

    server = start(db)
    try:
        time.sleep(6.5)  # past the dead servers' grace: their keys and jobs are free
        with httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {credentials.full_key}"},
            timeout=60,
        ) as http:
            _check_datasets(http, rounds, db)
            _check_keyed_calls(http, rounds, db, credentials.tenant_id)
            _check_jobs(http, rounds)
    finally:
        server.stop()
    assert all(status < 500 for r in rounds for status in r.statuses)
    assert "Traceback" not in server.log_text()


def _check_datasets(http: httpx.Client, rounds: list[Round], db: Path) -> None:
    listed: dict[str, int] = {}
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = http.get("/v1/datasets", params=params).json()
        listed.update({d["id"]: d["rows"] for d in page["data"]})
        if not page["has_more"]:
            break
        params["after"] = page["next_cursor"]
    acknowledged = {k: v for r in rounds for k, v in r.datasets.items()}
    assert acknowledged, "no upload finished before its kill: the rounds are too short"
    assert acknowledged.items() <= listed.items()  # nothing acknowledged is lost
    for dataset_id, rows in listed.items():  # and whatever is listed is whole
        page = http.get(f"/v1/datasets/{dataset_id}/rows", params={"limit": 1000}).json()
        assert len(page["data"]) == rows == 300
    datasets_dir = Path(f"{db}.data") / "datasets"
    leftovers = [p.name for p in datasets_dir.iterdir() if p.name.startswith("tmp-")]
    assert not leftovers


def _check_keyed_calls(http: httpx.Client, rounds: list[Round], db: Path, tenant: str) -> None:
    keys = [key for r in rounds for key in r.keys]
    # The rounds kill calls both before and after their answers.
    assert 0 < sum(len(r.answers) for r in rounds) < len(keys)
    for r in rounds:
        for key in r.keys:
            answer = http.post(
                "/v1/models/quality-logreg/predict",
                json={"inputs": [healthy_run()] * 50},
                headers={"Idempotency-Key": key},
            )
            assert answer.status_code == 200, answer.text
            if key in r.answers:  # acknowledged: replayed, not computed again
                assert answer.json() == r.answers[key]
    # Every key ran exactly once, however many times it was sent or killed under.
    assert predictions_made(db, tenant) == len(set(keys))


def _check_jobs(http: httpx.Client, rounds: list[Round]) -> None:
    jobs = [job for r in rounds for job in r.jobs]
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + 120
    for job in jobs:
        while True:
            record = http.get(f"/v1/training-jobs/{job}").json()
            if record["status"] in ("succeeded", "failed", "cancelled"):
                break
            assert time.monotonic() < deadline, f"{job} is stuck {record['status']}"
            time.sleep(0.2)
        events = http.get(f"/v1/training-jobs/{job}/events", params={"limit": 100}).json()
        started = [e for e in events["data"] if e["type"] == "started"]
        assert len(started) <= 1  # never run twice
        outcomes[record["status"]] = outcomes.get(record["status"], 0) + 1
        if record["status"] == "failed":
            # Only a job killed while running is lost; a queued one is taken over.
            assert record["error"]["code"] == "server_stopped", record["error"]
            assert len(started) == 1
    assert outcomes.get("succeeded", 0) > 0, outcomes
