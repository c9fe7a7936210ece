"""``aiaas-mock serve --workers N``: several processes on one port and one
database file, sharing what they must.

Marked ``reliability`` (run alone with ``-m reliability``); about 15 seconds.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.store import Store
from aiaas_mock.zoo.examples import PROCESS_RUN
from tests.reliability.servers import predictions_made, provision, running

pytestmark = pytest.mark.reliability


def _live_instances(db: Path) -> int:
    store = Store.open(ServerConfig(db_path=str(db)))
    try:
        store.instances.leave()  # this reader's own registration
        with store.db.read() as conn:
            return int(conn.execute("SELECT COUNT(*) AS n FROM instances").fetchone()["n"])
    finally:
        store.close()


def test_two_workers_serve_one_port_and_run_each_key_once(tmp_path: Path) -> None:
    db = tmp_path / "aiaas.db"
    credentials = provision(db)
    with running(db, "--workers", "2") as server:
        headers = {"Authorization": f"Bearer {credentials.full_key}"}
        keys = [str(uuid.uuid4()) for _ in range(30)]

        def predict(key: str) -> int:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                answer = http.post(
                    "/v1/models/quality-logreg/predict",
                    json={"inputs": [PROCESS_RUN]},
                    headers={**headers, "Idempotency-Key": key},
                )
                return answer.status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(predict, keys + keys))
        assert set(statuses) <= {200, 409}  # 409: the other worker is running that key
        assert statuses.count(200) >= len(keys)
        assert _live_instances(db) == 2
        assert "Traceback" not in server.log_text()
    assert predictions_made(db, credentials.tenant_id) == len(keys)


def test_workers_need_a_database_file() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aiaas_mock", "serve", "--workers", "2", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "--workers above 1 needs --db FILE" in done.stderr
