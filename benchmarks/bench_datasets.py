"""Datasets: uploads in MB/s and peak memory on both sides, reading back, storage.

Runs of the same machining-runs CSV (default 100 MB, 2.6 million rows):

- pyarrow reading the CSV alone, in this process: the parser's ceiling;
- the mock's ingest alone, in this process (type, profile, write Parquet);
- the SDK's ``datasets.create`` to the mock (stored, typed, profiled before it
  answers), the same rows as Parquet, raw httpx streaming the CSV to the mock,
  and raw httpx streaming it to a trivial app that discards the body (the
  transfer's ceiling on this machine);
- reading back: pages of rows, and the whole dataset as Parquet and as CSV;
- a batch prediction's results downloaded as Parquet and CSV;
- stored bytes against the CSV's, for a dense and a sparse (1,000 columns,
  2 % filled) file.

While the SDK's CSV upload runs, a light call (``GET /v1/models/quality-logreg``)
is timed every 20 ms, beside the same call on the idle server: what an upload
costs everyone else.

Each server runs in its own process; the client's peak memory is that of this
process over the upload (``ru_maxrss``), the server's the ``VmHWM`` growth of
its processes (the mock reads uploads in a worker process, started by a small
upload first so that its imports are not counted as the upload's).

Usage: python benchmarks/bench_datasets.py [--mb 100] [--large-mb 1024]
"""

from __future__ import annotations

import argparse
import functools
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from common import write_machining_runs
from servers import Server, start_mock, start_trivial

import aiaas
from aiaas import SyncPage
from aiaas._frames import TableFormat
from aiaas.types import DatasetRow
from aiaas_mock.datasets.ingest import build

CHUNK = 256 * 1024
Row = tuple[str, tuple[float, float, float]]


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        yield from iter(lambda: file.read(CHUNK), b"")


def measure(server: Server, upload: Callable[[], None], size: int) -> tuple[float, float, float]:
    """MB/s, server peak growth and client peak growth (MB) of one upload."""
    server_before = server.peak_rss_mb()
    client_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    upload()
    seconds = time.perf_counter() - started
    client_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        size / 2**20 / seconds,
        server.peak_rss_mb() - server_before,
        client_after - client_before,
    )


def light_call_ms(server: Server, stop: threading.Event, seconds: float | None = None) -> str:
    """p50 and p99 of a light call, made every 20 ms until ``stop`` (or ``seconds``)."""
    latencies = []
    ends = time.monotonic() + seconds if seconds is not None else None
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"}
    ) as http:
        while not stop.is_set() and (ends is None or time.monotonic() < ends):
            started = time.perf_counter()
            http.get("/v1/models/quality-logreg").raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    return f"p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms"


def in_process(data: Path, scratch: Path) -> list[tuple[str, float]]:
    """MB/s of pyarrow's CSV reader alone, and of the mock's whole ingest, here."""
    size = data.stat().st_size
    started = time.perf_counter()
    pa_csv.read_csv(data)
    parse = size / 2**20 / (time.perf_counter() - started)
    out = scratch / "in-process"
    out.mkdir()
    started = time.perf_counter()
    build(out, data, "csv", "failed")
    ingest = size / 2**20 / (time.perf_counter() - started)
    return [("pyarrow read_csv, in process", parse), ("mock ingest alone, in process", ingest)]


def uploads(data: Path, parquet: Path, scratch: Path) -> tuple[list[Row], str, str]:
    """The SDK's CSV and Parquet uploads to the mock, with the light call's
    latency idle and during the CSV upload."""
    size = data.stat().st_size
    rows: list[Row] = []
    mock = start_mock(scratch / "sdk.db")
    try:
        with aiaas.Client(base_url=mock.base_url, api_key=mock.api_key, timeout=900) as client:
            client.datasets.create(file=b"a,b\n1,2\n", name="warm-up", format="csv")

            def sdk() -> None:
                client.datasets.create(file=data, name="runs", target="failed")

            idle = light_call_ms(mock, threading.Event(), seconds=5)
            stop = threading.Event()
            during: list[str] = []
            sampler = threading.Thread(target=lambda: during.append(light_call_ms(mock, stop)))
            sampler.start()
            try:
                rows.append(("SDK datasets.create CSV -> mock", measure(mock, sdk, size)))
            finally:
                stop.set()
                sampler.join()

            def sdk_parquet() -> None:
                client.datasets.create(file=parquet, name="runs", target="failed")

            rate, server_mb, client_mb = measure(mock, sdk_parquet, parquet.stat().st_size)
            rows.append(("SDK datasets.create Parquet -> mock", (rate, server_mb, client_mb)))
    finally:
        mock.stop()
    return rows, idle, during[0]


def raw_uploads(data: Path, scratch: Path) -> list[Row]:
    size = data.stat().st_size
    rows: list[Row] = []
    mock = start_mock(scratch / "raw.db")
    try:
        with httpx.Client(base_url=mock.base_url, timeout=900) as raw:
            headers = {"Authorization": f"Bearer {mock.api_key}"}
            params = {"name": "warm-up", "format": "csv"}
            raw.post("/v1/datasets", params=params, headers=headers, content=b"a\n1\n")

            def raw_to_mock() -> None:
                raw.post(
                    "/v1/datasets",
                    params={"name": "runs", "format": "csv", "target": "failed"},
                    headers=headers,
                    content=chunks(data),
                ).raise_for_status()

            rows.append(("raw httpx CSV -> mock", measure(mock, raw_to_mock, size)))
    finally:
        mock.stop()
    sink = start_trivial(scratch)
    try:
        with httpx.Client(base_url=sink.base_url, timeout=900) as raw:

            def raw_to_sink() -> None:
                raw.post("/v1/datasets", content=chunks(data)).raise_for_status()

            rows.append(("raw httpx CSV -> discarding app", measure(sink, raw_to_sink, size)))
    finally:
        sink.stop()
    return rows


def dataset_bytes(client: aiaas.Client, dataset_id: str, fmt: TableFormat) -> int:
    return len(client.datasets.content(dataset_id, format=fmt).content)


def results_bytes(client: aiaas.Client, job_id: str, fmt: TableFormat) -> int:
    return len(client.batch_predictions.results_content(job_id, format=fmt).content)


def timed(action: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    amount = action()
    return time.perf_counter() - started, amount


def reading_back(data: Path, scratch: Path) -> list[str]:
    """Rows pages, whole-dataset downloads and batch results downloads, and the
    stored size of a dense and a sparse file."""
    lines = []
    mock = start_mock(scratch / "read.db")
    try:
        with aiaas.Client(base_url=mock.base_url, api_key=mock.api_key, timeout=900) as client:
            dataset = client.datasets.create(file=data, name="runs")

            def pages() -> int:
                page: SyncPage[DatasetRow] | None = client.datasets.rows(dataset.id, limit=1000)
                count = 0
                for _ in range(100):
                    if page is None:
                        break
                    count += len(page.data)
                    page = page.next_page()
                return count

            seconds, count = timed(pages)
            lines.append(f"rows pages (100 of 1,000)         {count / seconds:>12,.0f} rows/s")
            fmt: TableFormat
            for fmt in ("parquet", "csv"):
                seconds, size = timed(functools.partial(dataset_bytes, client, dataset.id, fmt))
                lines.append(
                    f"dataset content as {fmt:<8}          {dataset.rows / seconds:>12,.0f} rows/s"
                    f" ({size / 2**20:.1f} MB in {seconds:.2f} s)"
                )
            lines.append(
                f"stored: dense {data.stat().st_size / 2**20:.1f} MB CSV -> "
                f"{len(client.datasets.content(dataset.id).content) / 2**20:.1f} MB Parquet"
            )
            sparse = write_sparse(scratch / "sparse.csv")
            stored = client.datasets.create(file=sparse, name="sparse")
            lines.append(
                f"stored: sparse {sparse.stat().st_size / 2**20:.1f} MB CSV (1,000 columns, "
                f"2 % filled) -> {len(client.datasets.content(stored.id).content) / 2**20:.2f} MB"
            )
            lines += batch_results(client, scratch)
    finally:
        mock.stop()
    return lines


def write_sparse(path: Path, rows: int = 2500) -> Path:
    rng = np.random.default_rng(3)
    grid = np.where(rng.random((rows, 1000)) < 0.02, rng.integers(1, 999, (rows, 1000)), -1)
    with path.open("w") as file:
        file.write(",".join(f"c{i}" for i in range(1000)) + "\n")
        for row in grid.tolist():
            file.write(",".join("" if v < 0 else str(v) for v in row) + "\n")
    return path


def batch_results(client: aiaas.Client, scratch: Path, rows: int = 50_000) -> list[str]:
    rng = np.random.default_rng(5)
    table = pa.table(
        {
            "product_type": rng.choice(["L", "M", "H"], rows),
            "air_temperature": rng.normal(300, 2, rows),
            "process_temperature": rng.normal(310, 1.5, rows),
            "rotational_speed": rng.integers(1200, 2800, rows),
            "torque": rng.normal(40, 10, rows),
            "tool_wear": rng.integers(0, 250, rows),
        }
    )
    dataset = client.datasets.create(file=table, name="quality")
    batch = client.batch_predictions.create(model="quality-logreg", dataset_id=dataset.id)
    batch = client.batch_predictions.wait(batch.id, timeout=600, poll_interval=0.5)
    lines = []
    fmt: TableFormat
    for fmt in ("parquet", "csv"):
        seconds, size = timed(functools.partial(results_bytes, client, batch.id, fmt))
        lines.append(
            f"batch results as {fmt:<8}            {rows / seconds:>12,.0f} rows/s"
            f" ({size / 2**20:.1f} MB in {seconds:.2f} s)"
        )

    def pages() -> int:
        return sum(1 for _ in client.batch_predictions.results(batch.id, limit=1000))

    seconds, count = timed(pages)
    lines.append(f"batch results pages (JSON, 1,000) {count / seconds:>12,.0f} rows/s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--large-mb", type=float, default=0.0, help="also a CSV this large")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        data = scratch / "runs.csv"
        rows = write_machining_runs(data, int(args.mb * 2**20))
        parquet = scratch / "runs.parquet"
        pq.write_table(pa_csv.read_csv(data), parquet, compression="zstd")
        size = data.stat().st_size
        print(f"{size / 2**20:.1f} MB CSV, {rows:,} rows; {parquet.stat().st_size / 2**20:.1f} MB "
              "as Parquet\n")  # fmt: skip
        baselines = in_process(data, scratch)
        sdk_rows, idle, during = uploads(data, parquet, scratch)
        results = sdk_rows + raw_uploads(data, scratch)
        if args.large_mb:
            large = scratch / "large.csv"
            write_machining_runs(large, int(args.large_mb * 2**20), seed=1)
            mock = start_mock(scratch / "large.db")
            try:
                with aiaas.Client(base_url=mock.base_url, api_key=mock.api_key, timeout=3600) as c:
                    c.datasets.create(file=b"a\n1\n", name="warm-up", format="csv")
                    label = f"SDK CSV {args.large_mb:.0f} MB -> mock"

                    def upload_large() -> None:
                        c.datasets.create(file=large, name="large")

                    results.append((label, measure(mock, upload_large, large.stat().st_size)))
            finally:
                mock.stop()
            large.unlink()
        print(f"{'upload':<40} {'MB/s':>8} {'server peak':>12} {'client peak':>12}")
        for name, rate in baselines:
            print(f"{name:<40} {rate:>8.1f}")
        for name, (rate, server_mb, client_mb) in results:
            print(f"{name:<40} {rate:>8.1f} {server_mb:>+10.0f} MB {client_mb:>+10.1f} MB")
        print(f"\nlight call to the mock, idle: {idle}; during the SDK's upload: {during}\n")
        for line in reading_back(data, scratch):
            print(line)


if __name__ == "__main__":
    main()
