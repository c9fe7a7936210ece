"""Dataset uploads: MB/s and peak memory on both sides.

Three runs of the same CSV file (default 100 MB of machining runs):

- the SDK's ``datasets.create`` to the mock, which stores the file and reads it
  into a dataset (types, quality report, row index) before answering;
- raw httpx streaming the file to the mock: the same work server-side;
- raw httpx streaming it to a trivial FastAPI app that discards the body: the
  transfer's ceiling on this machine.

While the SDK's upload runs, a light call (``GET /v1/models/quality-logreg``)
is timed every 20 ms, beside the same call on the idle server: what an upload
costs everyone else.

Each server runs in its own process; the client's peak memory is that of this
process over the upload (``ru_maxrss``), the server's the ``VmHWM`` growth of
its processes (the mock reads uploads in a worker process, started by a small
upload first so that its imports are not counted as the upload's).

Usage: python benchmarks/bench_datasets.py [--mb 100]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from common import write_machining_runs
from servers import Server, start_mock, start_trivial

import aiaas

CHUNK = 256 * 1024


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "runs.csv"
        rows = write_machining_runs(data, int(args.mb * 2**20))
        size = data.stat().st_size
        print(f"{size / 2**20:.1f} MB, {rows:,} rows\n")
        print(f"{'upload':<40} {'MB/s':>8} {'server peak':>12} {'client peak':>12}")
        results: list[tuple[str, tuple[float, float, float]]] = []

        mock = start_mock(Path(scratch) / "sdk.db")
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
                    results.append(("SDK datasets.create -> mock", measure(mock, sdk, size)))
                finally:
                    stop.set()
                    sampler.join()
        finally:
            mock.stop()

        mock = start_mock(Path(scratch) / "raw.db")
        try:
            with httpx.Client(base_url=mock.base_url, timeout=900) as raw:
                warm_up = raw.post(
                    "/v1/datasets",
                    params={"name": "warm-up", "format": "csv"},
                    headers={"Authorization": f"Bearer {mock.api_key}"},
                    content=b"a,b\n1,2\n",
                )
                warm_up.raise_for_status()

                def raw_to_mock() -> None:
                    raw.post(
                        "/v1/datasets",
                        params={"name": "runs", "format": "csv", "target": "failed"},
                        headers={"Authorization": f"Bearer {mock.api_key}"},
                        content=chunks(data),
                    ).raise_for_status()

                results.append(("raw httpx -> mock", measure(mock, raw_to_mock, size)))
        finally:
            mock.stop()

        sink = start_trivial(Path(scratch))
        try:
            with httpx.Client(base_url=sink.base_url, timeout=900) as raw:

                def raw_to_sink() -> None:
                    raw.post("/v1/datasets", content=chunks(data)).raise_for_status()

                results.append(("raw httpx -> discarding app", measure(sink, raw_to_sink, size)))
        finally:
            sink.stop()
        for name, (rate, server_mb, client_mb) in results:
            print(f"{name:<40} {rate:>8.1f} {server_mb:>+10.0f} MB {client_mb:>+10.1f} MB")
        print(f"\nlight call to the mock, idle: {idle}; during the SDK's upload: {during[0]}")


if __name__ == "__main__":
    main()
