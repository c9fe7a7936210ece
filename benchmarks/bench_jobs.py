"""Jobs on the embedded pool against a two-worker Dask LocalCluster.

Two measurements, each on a server using the embedded pool (``--job-workers 2``)
and on one using ``--cluster`` with a LocalCluster of two worker processes (one
thread each), all on this machine:

- a batch prediction over a 1,000,000-row tabular dataset with a logistic
  regression trained on it: rows/s from create to succeeded;
- a training job of 5 folds x 20 candidates (a random-forest grid) on 20,000
  rows: seconds from create to succeeded.

Both servers run from ``.engines/dask`` (``.ci/install-engines``), where Dask is
installed, so they run the same code with the same libraries.

Usage: python benchmarks/bench_jobs.py [--rows 1000000] [--search-rows 20000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import write_machining_runs
from servers import start_mock

import aiaas

REPOSITORY = Path(__file__).resolve().parents[1]
DASK_PYTHON = REPOSITORY / ".engines" / "dask" / "bin" / "python"
LAUNCHER = REPOSITORY / "tests" / "live" / "engines" / "dask_cluster.py"
FEATURES = ["machine", "speed", "torque", "temperature"]


@contextmanager
def local_cluster() -> Iterator[str]:
    process = subprocess.Popen(
        [str(DASK_PYTHON), str(LAUNCHER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        yield process.stdout.readline().decode().strip()
    finally:
        process.stdin.close()
        process.wait(timeout=30)
        process.stdout.close()


def rows_per_second(client: aiaas.Client, data: Path) -> tuple[float, float]:
    dataset = client.datasets.create(file=data, name="runs")
    job = client.training_jobs.create(
        model="logistic-regression",
        dataset_id=dataset.id,
        target="failed",
        features=FEATURES,
        validation={"cv_folds": 2},
    )
    job = client.training_jobs.wait(job.id, poll_interval=0.5)
    assert job.status == "succeeded", job.error
    assert job.result_model_id is not None
    started = time.perf_counter()
    batch = client.batch_predictions.create(model=job.result_model_id, dataset_id=dataset.id)
    batch = client.batch_predictions.wait(batch.id, poll_interval=0.25)
    seconds = time.perf_counter() - started
    assert batch.status == "succeeded", batch.error
    assert batch.succeeded_rows == dataset.rows
    return dataset.rows / seconds, seconds


def search_seconds(client: aiaas.Client, data: Path) -> float:
    dataset = client.datasets.create(file=data, name="search")
    started = time.perf_counter()
    job = client.training_jobs.create(
        model="random-forest",
        dataset_id=dataset.id,
        target="failed",
        features=FEATURES,
        validation={"cv_folds": 5},
        search={
            "method": "grid",
            "space": {"n_estimators": [10, 20, 30, 40, 50], "max_depth": [4, 6, 8, 10]},
        },
    )
    job = client.training_jobs.wait(job.id, poll_interval=0.25)
    assert job.status == "succeeded", job.error
    assert len(job.candidates) == 20
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--search-rows", type=int, default=20_000)
    args = parser.parse_args()
    if not DASK_PYTHON.exists():
        raise SystemExit("run .ci/install-engines first: it installs Dask into .engines/dask")
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "runs.csv"
        small = Path(scratch) / "search.csv"
        rows = write_machining_runs(big, rows_wanted=args.rows)
        write_machining_runs(small, rows_wanted=args.search_rows, seed=1)
        print(f"batch dataset: {rows:,} rows; search dataset: {args.search_rows:,} rows\n")
        results = {}
        with local_cluster() as scheduler:
            for name, extra in (
                ("embedded pool, 2 workers", ("--job-workers", "2")),
                ("Dask LocalCluster, 2 workers", ("--cluster", scheduler)),
            ):
                server = start_mock(
                    Path(scratch) / f"{name[:4]}.db", 1, *extra, python=str(DASK_PYTHON)
                )
                try:
                    with aiaas.Client(
                        base_url=server.base_url, api_key=server.api_key, timeout=900
                    ) as client:
                        rate, seconds = rows_per_second(client, big)
                        search = search_seconds(client, small)
                finally:
                    server.stop()
                results[name] = (rate, seconds, search)
        print(f"{'where':<32} {'batch rows/s':>13} {'batch s':>9} {'5x20 search s':>14}")
        for name, (rate, seconds, search) in results.items():
            print(f"{name:<32} {rate:>13,.0f} {seconds:>9.1f} {search:>14.1f}")


if __name__ == "__main__":
    main()
