"""kill -9 under load, and a restart on the same database: the SDK's call, in
flight when the server died, succeeds once the server is back, and runs once.

Marked ``reliability`` (run alone with ``-m reliability``); bounded to about
half a minute.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import aiaas
from tests.reliability.servers import Credentials, predictions_made, provision, start

pytestmark = pytest.mark.reliability

# Long work orders keep maintenance-srl busy for seconds, long enough to be killed.
TEXT = ("hyd hose leaking on loader 7 - replaced seal and checked pump 3 bearing. " * 13)[:990]


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, Credentials]:
    db = tmp_path / "aiaas.db"
    return db, provision(db)


def test_a_call_in_flight_at_a_kill_succeeds_after_restart_and_runs_once(
    database: tuple[Path, Credentials],
) -> None:
    db, credentials = database
    server = start(db)
    outcome: dict[str, object] = {}

    def call() -> None:
        started = time.monotonic()
        with aiaas.Client(
            api_key=credentials.full_key,
            base_url=server.base_url,
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
    server.kill()
    restarted = start(db, port=server.port)
    try:
        caller.join(timeout=90)
    finally:
        restarted.stop()
    assert "error" not in outcome, outcome.get("error")
    assert float(outcome["seconds"]) < 60  # type: ignore[arg-type]
    assert predictions_made(db, credentials.tenant_id) == 1
