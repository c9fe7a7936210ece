"""Two tenants on one server, one of them abusive: the other's calls and jobs are
measured while the first floods bad credentials, queues its largest jobs,
stalls upload bodies and reads pages of wide rows.

The bounds are loose on purpose (they catch starvation, which was minutes to
hours, not noise): a light call's median within twice idle (plus 2 ms) during a
flood of 2,000 bad keys, and its 99th percentile under a second with
everything going on; the other tenant's small job starting within 5 s and
ending within 10 s of what it takes alone; the API process within 200 MB of its
idle memory; its open files back to idle once stalled bodies time out; no 5xx.

Marked ``reliability``; about a minute.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.store import Store
from tests.helpers import healthy_run
from tests.reliability.servers import ServerProcess, start
from tests.tables import machining_runs, write_wide_rows

pytestmark = pytest.mark.reliability

LARGEST_JOB = {
    "model": "random-forest",
    "target": "failed",
    "features": ["speed", "torque", "tool_wear"],
    "validation": {"cv_folds": 20},
    "search": {
        "method": "grid",
        "space": {"n_estimators": [200], "max_depth": [16], "min_samples_leaf": list(range(1, 11))},
    },
}
SMALL_JOB = {
    "model": "logistic-regression",
    "target": "failed",
    "features": ["speed", "torque", "tool_wear"],
    "validation": {"cv_folds": 2},
}
FLOOD = """
import sys, time, httpx
started, statuses = time.perf_counter(), []
with httpx.Client(base_url=sys.argv[1], timeout=30) as http:
    for n in range(2000):
        time.sleep(max(0.0, started + n / 300 - time.perf_counter()))
        bad = {"Authorization": f"Bearer aiaas_sk_guess{n}"}
        statuses.append(http.get("/v1/models", headers=bad).status_code)
print(max(statuses))
"""
"""2,000 bad keys at 300 a second (twice the rate at which each used to cost a
database write and a light call's median went from 4.5 to 46 ms). Unpaced, one
client sends about 1,000 a second, and the API process's one event loop then
shares its time between them: the median doubles, with or without the writes."""


def _keys(db: Path) -> tuple[str, str]:
    store = Store.open(ServerConfig(db_path=str(db)))
    try:
        keys = []
        for name in ("abusive", "measured"):
            tenant = store.tenants.create(name)
            keys.append(store.tenants.issue_key(tenant.id).secret.reveal())
        return keys[0], keys[1]
    finally:
        store.close()


def _proc(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _open_files(pid: int, holding: str) -> int:
    """The process's open files whose target holds ``holding``."""
    found = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found += holding in os.readlink(fd)
    return found


def _latencies(http: httpx.Client, calls: int) -> list[float]:
    seconds = []
    for _ in range(calls):
        started = time.perf_counter()
        answer = http.post("/v1/models/quality-logreg/predict", json={"inputs": [healthy_run()]})
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return seconds


def _small_job(http: httpx.Client, dataset_id: str) -> tuple[float, float]:
    """Seconds to ``running`` and to ``succeeded``."""
    started = time.perf_counter()
    job = http.post("/v1/training-jobs", json={**SMALL_JOB, "dataset_id": dataset_id}).json()
    running = None
    while job["status"] in ("queued", "running"):
        if running is None and job["status"] == "running":
            running = time.perf_counter() - started
        time.sleep(0.05)
        job = http.get(f"/v1/training-jobs/{job['id']}").json()
    assert job["status"] == "succeeded", job
    ended = time.perf_counter() - started
    return (running if running is not None else ended), ended


@contextlib.contextmanager
def _stalled_uploads(server: ServerProcess, key: str, count: int) -> Iterator[None]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(
            b"POST /v1/datasets?name=stalled&format=csv HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {key}\r\n".encode()
            + b"Content-Type: text/csv\r\nContent-Length: 1000000000\r\n\r\na,b\n"
        )
        sockets.append(sock)
    try:
        yield
    finally:
        for sock in sockets:
            sock.close()


def test_an_abusive_tenant_cannot_starve_or_fill_the_service(tmp_path: Path) -> None:
    db = tmp_path / "aiaas.db"
    abusive_key, measured_key = _keys(db)
    wide = tmp_path / "wide.csv"
    write_wide_rows(wide, 60)
    server = start(db, "--job-workers", "2", "--body-idle-timeout", "3")
    seen: list[int] = []
    try:
        with (
            httpx.Client(
                base_url=server.base_url,
                headers={"Authorization": f"Bearer {abusive_key}"},
                timeout=120,
            ) as a,
            httpx.Client(
                base_url=server.base_url,
                headers={"Authorization": f"Bearer {measured_key}"},
                timeout=120,
            ) as b,
        ):
            _run(server, a, b, abusive_key, wide, seen)
    finally:
        server.stop()
    assert all(status < 500 for status in seen), sorted(set(seen))
    assert "Traceback" not in server.log_text()


def _run(
    server: ServerProcess,
    a: httpx.Client,
    b: httpx.Client,
    abusive_key: str,
    wide: Path,
    seen: list[int],
) -> None:
    pid = server.process.pid
    big = a.post("/v1/datasets?name=big&format=csv", content=machining_runs(rows=20_000)).json()
    small = b.post("/v1/datasets?name=small&format=csv", content=machining_runs(rows=200)).json()
    _small_job(b, small["id"])  # the workers are up
    _latencies(b, 20)
    idle = _latencies(b, 100)
    alone = _small_job(b, small["id"])
    idle_rss, idle_sockets = _proc(pid, "VmRSS"), _open_files(pid, "socket:")

    # A flood of bad credentials, from a process of its own.
    flood = subprocess.Popen(
        [sys.executable, "-c", FLOOD, server.base_url], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.5)
    flooded = _latencies(b, 100)
    out, _ = flood.communicate(timeout=120)
    seen.append(int(out))
    assert statistics.median(flooded) <= 2 * statistics.median(idle) + 0.002, (
        statistics.median(idle),
        statistics.median(flooded),
    )

    # Everything else at once.
    jobs = []
    for _ in range(6):
        answer = a.post("/v1/training-jobs", json={**LARGEST_JOB, "dataset_id": big["id"]})
        seen.append(answer.status_code)
        jobs.append(answer.json()["id"])
    deadline = time.monotonic() + 60
    while sum(a.get(f"/v1/training-jobs/{j}").json()["status"] == "running" for j in jobs) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    with _stalled_uploads(server, abusive_key, 100):
        readers = threading.Thread(target=_read_wide, args=(a, wide, seen))
        readers.start()
        time.sleep(2.0)  # A's units hold both workers
        busy = _small_job(b, small["id"])
        loaded = _latencies(b, 100)
        readers.join(timeout=120)
        assert all(
            a.get(f"/v1/training-jobs/{j}").json()["status"] in ("queued", "running") for j in jobs
        )
    assert busy[0] <= 5.0, (alone, busy)
    assert busy[1] <= alone[1] + 10.0, (alone, busy)
    assert max(loaded) < 1.0 or sorted(loaded)[98] < 1.0, sorted(loaded)[-3:]
    assert _proc(pid, "VmHWM") - idle_rss <= 200, (idle_rss, _proc(pid, "VmHWM"))
    time.sleep(4.0)  # past body_idle_seconds: every stalled upload is answered and gone
    # Sockets and upload files back to idle (the database's per-thread
    # connections may grow with the thread pool, which bounds them).
    assert _open_files(pid, "socket:") <= idle_sockets, _open_files(pid, "socket:")
    assert _open_files(pid, "/datasets/tmp-") == 0
    for job in jobs:
        a.post(f"/v1/training-jobs/{job}/cancel")


def _read_wide(a: httpx.Client, wide: Path, seen: list[int]) -> None:
    with wide.open("rb") as file:
        answer = a.post("/v1/datasets?name=wide&format=csv", content=file)
    seen.append(answer.status_code)
    dataset: dict[str, Any] = answer.json()
    pages = []

    def page() -> None:
        got = a.get(f"/v1/datasets/{dataset['id']}/rows", params={"limit": 1000})
        pages.append(got.status_code)

    threads = [threading.Thread(target=page) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    seen.extend(pages)
