"""POST /v1/embeddings through the SDK, through the openai package and through
raw httpx, side by side over loopback (encryption off for all three, so the
clients' own costs are what differs), at batch 1 and batch 64.

Usage: python benchmarks/bench_embeddings.py [--calls N]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable

import httpx
import openai

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.zoo.maintenance_text.work_orders import generate_work_orders

MODEL = "maintenance-word2vec"


def timed(fn: Callable[[], object], calls: int) -> list[float]:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000.0)
    return sorted(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    texts = [order.text for order in generate_work_orders(64, seed=5)]
    with MockServer() as server:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with (
            aiaas.Client(api_key=server.api_key, base_url=server.base_url, encryption="off") as sdk,
            openai.OpenAI(api_key=server.api_key, base_url=f"{server.base_url}/v1") as oai,
            httpx.Client(base_url=server.base_url, headers=headers) as raw,
        ):
            print(f"/v1/embeddings over loopback, {calls} calls each (ms)")
            print(f"  {'client':<28} {'batch':>5} {'p50':>7} {'p99':>7}")
            for batch in (1, 64):
                chunk = texts[:batch]
                clients: dict[str, Callable[[list[str]], object]] = {
                    "raw httpx (baseline)": lambda c: raw.post(
                        "/v1/embeddings", json={"model": MODEL, "input": c}
                    ).json(),
                    "aiaas SDK": lambda c: sdk.embeddings.create(model=MODEL, input=c),
                    "openai (base64, its default)": lambda c: oai.embeddings.create(
                        model=MODEL, input=c
                    ),
                }
                for name, call in clients.items():
                    fn = functools.partial(call, chunk)
                    samples = timed(fn, calls)
                    p99 = samples[int(len(samples) * 0.99) - 1]
                    print(f"  {name:<28} {batch:>5} {statistics.median(samples):7.2f} {p99:7.2f}")


if __name__ == "__main__":
    main()
