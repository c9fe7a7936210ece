"""Server throughput against a trivial FastAPI app under the same uvicorn.

Each server runs in its own process (the load generator must not share its
GIL); runs are interleaved so both see the same machine. Per endpoint it
prints requests/s, p50 and p99 latency, and the server's CPU per request
(from /proc), the mock beside the trivial app and their ratio.

Usage: python benchmarks/bench_server.py [--requests N] [--concurrency C]
       [--repeats R] [--workers W]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from servers import Server, start_mock, start_trivial

from aiaas_mock.zoo.examples import PROCESS_RUN


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: Any | None


ENDPOINTS = [
    Endpoint("predict x1 quality-logreg", "POST", "/v1/models/quality-logreg/predict",
             {"inputs": [PROCESS_RUN]}),
    Endpoint("predict x32 quality-logreg", "POST", "/v1/models/quality-logreg/predict",
             {"inputs": [PROCESS_RUN] * 32}),
    Endpoint("GET /v1/models", "GET", "/v1/models", None),
    Endpoint("embeddings x1", "POST", "/v1/embeddings",
             {"model": "maintenance-word2vec", "input": ["hydraulic pump leaking"]}),
]  # fmt: skip


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float


async def load(server: Server, endpoint: Endpoint, requests: int, concurrency: int) -> Run:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    content = json.dumps(endpoint.body).encode() if endpoint.body is not None else None
    if content is not None:
        headers["Content-Type"] = "application/json"
    latencies: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.request(
                    endpoint.method, endpoint.path, content=content, headers=headers
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{endpoint.name}: {response.status_code} {response.text}")

        # Warm up (models load, connections open) before measuring.
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        latencies.clear()
        remaining = requests
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    latencies.sort()
    return Run(
        rps=requests / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[int(len(latencies) * 0.99) - 1] * 1000,
        cpu_us=cpu / requests * 1e6,
    )


def median_run(runs: list[Run]) -> Run:
    def med(pick: Callable[[Run], float]) -> float:
        return statistics.median(pick(r) for r in runs)

    return Run(
        med(lambda r: r.rps), med(lambda r: r.p50_ms), med(lambda r: r.p99_ms),
        med(lambda r: r.cpu_us),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        mock = start_mock(directory / "bench.db", args.workers)
        trivial = start_trivial(directory)
        try:
            print(
                f"{args.requests} requests per run, concurrency {args.concurrency}, "
                f"median of {args.repeats} interleaved runs, mock workers {args.workers}"
            )
            header = f"{'endpoint':<28}{'server':<9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
            print(header + f"{'CPU µs/req':>12}{'vs trivial':>11}")
            for endpoint in ENDPOINTS:
                runs: dict[str, list[Run]] = {"mock": [], "trivial": []}
                for _ in range(args.repeats):
                    for name, server in (("trivial", trivial), ("mock", mock)):
                        run = load(server, endpoint, args.requests, args.concurrency)
                        runs[name].append(asyncio.run(run))
                base = median_run(runs["trivial"])
                for name in ("trivial", "mock"):
                    r = median_run(runs[name])
                    ratio = f"{r.rps / base.rps:.2f}x" if name == "mock" else ""
                    print(
                        f"{endpoint.name:<28}{name:<9}{r.rps:>8.0f}{r.p50_ms:>9.2f}"
                        f"{r.p99_ms:>9.2f}{r.cpu_us:>12.0f}{ratio:>11}"
                    )
        finally:
            mock.stop()
            trivial.stop()


if __name__ == "__main__":
    main()
