"""Jobs when processes die: the server killed mid-job and restarted on the same
database, and a worker process killed under a running job.

Marked ``reliability``; each test is bounded to well under a minute.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import aiaas
from aiaas.types import TrainingJob
from tests.reliability.servers import Credentials, ServerProcess, provision, start
from tests.tables import machining_runs

pytestmark = pytest.mark.reliability

LONG_SEARCH = {"method": "grid", "space": {"n_estimators": [100, 150, 200], "max_depth": [10, 16]}}


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, Credentials]:
    db = tmp_path / "aiaas.db"
    return db, provision(db)


def client_of(server: ServerProcess, credentials: Credentials) -> aiaas.Client:
    return aiaas.Client(base_url=server.base_url, api_key=credentials.full_key, encryption="off")


def start_long_job(client: aiaas.Client) -> tuple[str, TrainingJob]:
    dataset = client.datasets.create(file=machining_runs(rows=3000), name="runs", format="csv")
    job = client.training_jobs.create(
        model="random-forest", dataset_id=dataset.id, target="failed", search=LONG_SEARCH
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        events = [event.type for event in client.training_jobs.events(job.id, limit=100)]
        if "fold" in events:
            return dataset.id, client.training_jobs.retrieve(job.id)
        time.sleep(0.1)
    raise AssertionError("the job never got going")


def worker_pids(server_pid: int) -> list[int]:
    """The job worker processes the server started (not its ingest process)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read()
            with open(f"/proc/{entry}/stat") as file:
                parent = int(file.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if b"aiaas_mock.workers.worker_process\x00jobs" in command and parent == server_pid:
            found.append(int(entry))
    return found


def test_a_job_running_when_the_server_dies_fails_with_its_reason_on_restart(
    database: tuple[Path, Credentials],
) -> None:
    db, credentials = database
    server = start(db)
    with client_of(server, credentials) as client:
        first = client.datasets.create(file=machining_runs(rows=300), name="r", format="csv")
        trained = client.training_jobs.create(
            model="ridge", dataset_id=first.id, target="energy_kwh", features=["speed"]
        )
        trained = client.training_jobs.wait(trained.id, timeout=60, poll_interval=0.2)
        assert trained.result_model_id is not None
        answer = client.models.predict(trained.result_model_id, inputs=[{"speed": 1500.0}])
        dataset_id, job = start_long_job(client)
        rows_before = [row.values for row in client.datasets.rows(dataset_id, limit=1000)]
        assert job.status == "running"
    server.kill()

    server = start(db)
    try:
        with client_of(server, credentials) as client:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                job = client.training_jobs.retrieve(job.id)
                if job.status != "running":
                    break
                time.sleep(0.2)
            assert job.status == "failed"
            assert job.error is not None
            assert job.error.code == "server_stopped"
            assert "server stopped" in job.error.message
            assert job.finished_at is not None
            events = list(client.training_jobs.events(job.id, limit=100))
            assert events[-1].type == "failed"
            # The dataset is intact, and serves a new job.
            rows_after = [row.values for row in client.datasets.rows(dataset_id, limit=1000)]
            assert rows_after == rows_before
            # A model trained before the crash is still there, and answers the same.
            assert trained.result_model_id in {m.id for m in client.models.list(limit=100)}
            again_answer = client.models.predict(
                trained.result_model_id, inputs=[{"speed": 1500.0}]
            )
            assert again_answer.outputs == answer.outputs
            again = client.training_jobs.create(
                model="ridge", dataset_id=dataset_id, target="energy_kwh"
            )
            again = client.training_jobs.wait(again.id, timeout=60, poll_interval=0.2)
            assert again.status == "succeeded"
    finally:
        server.stop()


def test_a_worker_killed_under_a_job_fails_it_and_the_server_carries_on(
    database: tuple[Path, Credentials],
) -> None:
    db, credentials = database
    server = start(db, "--job-workers", "1")
    try:
        with client_of(server, credentials) as client:
            dataset_id, job = start_long_job(client)
            workers = worker_pids(server.process.pid)
            assert len(workers) == 1
            os.kill(workers[0], signal.SIGKILL)
            job = client.training_jobs.wait(job.id, timeout=30, poll_interval=0.2)
            assert job.status == "failed"
            assert job.error is not None
            assert job.error.code == "worker_lost"
            assert client.models.retrieve("quality-logreg").id == "quality-logreg"
            again = client.training_jobs.create(
                model="ridge", dataset_id=dataset_id, target="energy_kwh"
            )
            again = client.training_jobs.wait(again.id, timeout=60, poll_interval=0.2)
            assert again.status == "succeeded"
            replacement = worker_pids(server.process.pid)
            assert replacement
            assert replacement != workers
    finally:
        server.stop()
