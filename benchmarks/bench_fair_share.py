"""A small tenant's training job while another tenant runs its largest jobs.

Tenant A queues six of the largest training jobs its quotas allow (random
forests of 200 trees, depth 16, on 20,000 rows: 10 candidates x 20 folds + the
final fit, 1.6e9 row-fits against the 2e9 quota; two run, four wait). Tenant B
then trains a 2-fold logistic regression on 200 rows. Printed side by side, in
one interleaved run: B's seconds from create to ``running`` and to
``succeeded`` alone, and while A's jobs run, on a server using its embedded
pool (``--job-workers 2``) and on one using a two-worker Dask LocalCluster
(when ``.engines/dask`` exists: ``.ci/install-engines``).

The goal (the multi-tenant issue): B starts within 5 s and ends within 10 s of
what it takes alone.

Usage: python benchmarks/bench_fair_share.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench_jobs import DASK_PYTHON, FEATURES, local_cluster
from common import write_machining_runs
from servers import Server, start_mock

import aiaas
from aiaas_mock import ServerConfig
from aiaas_mock.encryption.keys import KeyStore
from aiaas_mock.store import Store
from aiaas_mock.tools.admin import Admin

LARGEST = {
    "model": "random-forest",
    "target": "failed",
    "features": FEATURES,
    "validation": {"cv_folds": 20},
    "search": {
        "method": "grid",
        "space": {"n_estimators": [200], "max_depth": [16], "min_samples_leaf": list(range(1, 11))},
    },
}


def tenant_client(admin: Admin, server: Server, name: str) -> aiaas.Client:
    tenant = admin.create_tenant(name)
    key = admin.issue_key(tenant.id)
    return aiaas.Client(base_url=server.base_url, api_key=key.secret.reveal(), timeout=120)


def small_job(client: aiaas.Client, dataset_id: str) -> tuple[float, float]:
    """Seconds to ``running`` and to ``succeeded``."""
    started = time.perf_counter()
    job = client.training_jobs.create(
        model="logistic-regression",
        dataset_id=dataset_id,
        target="failed",
        features=FEATURES,
        validation={"cv_folds": 2},
    )
    running = None
    while job.status in ("queued", "running"):
        if running is None and job.status == "running":
            running = time.perf_counter() - started
        time.sleep(0.05)
        job = client.training_jobs.retrieve(job.id)
    ended = time.perf_counter() - started
    assert job.status == "succeeded", job.error
    return (running if running is not None else ended), ended


def measure(server: Server, db: Path, scratch: Path, rounds: int) -> dict[str, list[float]]:
    store = Store.open(ServerConfig(db_path=str(db)))
    admin = Admin(store, KeyStore(store.db, lifetime=3600.0, overlap=60.0))
    big, small = scratch / "a.csv", scratch / "b.csv"
    write_machining_runs(big, rows_wanted=20_000, seed=1)
    write_machining_runs(small, rows_wanted=200, seed=2)
    found: dict[str, list[float]] = {k: [] for k in ("alone start", "alone end", "start", "end")}
    with tenant_client(admin, server, "a") as a, tenant_client(admin, server, "b") as b:
        a_data = a.datasets.create(file=big, name="a").id
        b_data = b.datasets.create(file=small, name="b").id
        small_job(b, b_data)  # warm the workers up
        for _ in range(rounds):
            start, end = small_job(b, b_data)
            found["alone start"].append(start)
            found["alone end"].append(end)
            jobs = [a.training_jobs.create(dataset_id=a_data, **LARGEST) for _ in range(6)]  # type: ignore[arg-type]
            deadline = time.monotonic() + 60
            while sum(a.training_jobs.retrieve(j.id).status == "running" for j in jobs) < 2:
                assert time.monotonic() < deadline, "A's jobs did not start"
                time.sleep(0.2)
            time.sleep(3.0)  # A's units hold every worker
            start, end = small_job(b, b_data)
            found["start"].append(start)
            found["end"].append(end)
            statuses = {a.training_jobs.retrieve(j.id).status for j in jobs}
            assert statuses <= {"queued", "running"}, statuses  # A was still at it
            for job in jobs:
                a.training_jobs.cancel(job.id)
            for job in jobs:
                a.training_jobs.wait(job.id, poll_interval=0.2)
    store.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    python = str(DASK_PYTHON) if DASK_PYTHON.exists() else sys.executable
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        where = [("embedded pool, 2 workers", ("--job-workers", "2"))]
        if DASK_PYTHON.exists():
            scheduler = stack.enter_context(local_cluster())
            where.append(("Dask LocalCluster, 2 workers", ("--cluster", scheduler)))
        for name, extra in where:
            directory = Path(scratch) / name[:4]
            directory.mkdir()
            db = directory / "mock.db"
            server = start_mock(db, 1, *extra, python=python)
            try:
                results[name] = measure(server, db, directory, args.rounds)
            finally:
                server.stop()
    print(f"B's 2-fold job on 200 rows, median of {args.rounds} rounds (seconds)")
    heads = ("alone start", "alone end", "A busy start", "A busy end")
    print(f"{'where':<30} " + " ".join(f"{h:>13}" for h in heads))
    for name, found in results.items():
        row = [statistics.median(found[k]) for k in ("alone start", "alone end", "start", "end")]
        print(f"{name:<30} " + " ".join(f"{v:>13.2f}" for v in row))
        worst = f"start {max(found['start']):.2f}, end {max(found['end']):.2f}"
        print(f"{'':<30} worst with A busy: {worst}")


if __name__ == "__main__":
    main()
