"""kill -9 under load, and a restart on the same database: the SDK's call, in
flight when the server died, succeeds once the server is back, and runs once.

Marked ``reliability`` (run alone with ``-m reliability``); bounded to about
half a minute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import aiaas
from aiaas_mock import ServerConfig
from aiaas_mock.store import Store
from tests.live.conftest import free_port

pytestmark = pytest.mark.reliability

# Long work orders keep maintenance-srl busy for seconds, long enough to be killed.
TEXT = ("hyd hose leaking on loader 7 - replaced seal and checked pump 3 bearing. " * 13)[:990]


def start(db: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiaas_mock",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, str, str]:
    db = tmp_path / "aiaas.db"
    store = Store.open(ServerConfig(db_path=str(db)))
    tenant = store.tenants.create("plant-7")
    key = store.tenants.issue_key(tenant.id)
    store.close()
    return db, tenant.id, key.secret.reveal()


def test_a_call_in_flight_at_a_kill_succeeds_after_restart_and_runs_once(
    database: tuple[Path, str, str],
) -> None:
    db, tenant_id, key = database
    port = free_port()
    server = start(db, port)
    outcome: dict[str, object] = {}

    def call() -> None:
        started = time.monotonic()
        with aiaas.Client(
            api_key=key,
            base_url=f"http://127.0.0.1:{port}",
            encryption="off",
            max_retries=30,
            deadline=60.0,
            retry_policy=aiaas.RetryPolicy(initial_delay=0.5, max_delay=1.0),
        ) as client:
            try:
                outcome["frames"] = client.models.predict("maintenance-srl", inputs=[TEXT] * 20)
            except aiaas.AIaaSError as exc:
                outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(2.0)  # the call has been claimed and is computing
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    restarted = start(db, port)
    try:
        caller.join(timeout=90)
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=20)
    assert "error" not in outcome, outcome.get("error")
    assert float(outcome["seconds"]) < 60  # type: ignore[arg-type]
    store = Store.open(ServerConfig(db_path=str(db)))
    try:
        assert store.predictions.count(tenant_id) == 1
    finally:
        store.close()
