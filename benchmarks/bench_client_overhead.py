"""Per-call cost of the SDK next to raw httpx, sync and async.

Two settings:

* loopback: both clients call the same mock server (small payloads), so the
  numbers include the server; the ratio shows what the SDK adds end to end;
* in-memory: both clients use an ``httpx.MockTransport`` answering at once, so
  the numbers are the client-side cost alone (request building, auth, retry
  bookkeeping, parsing into pydantic models).

Usage: python benchmarks/bench_client_overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from common import RUN

import aiaas
from aiaas.types import Model, Prediction, Usage
from aiaas_mock import MockServer

PREDICT_BODY = {"inputs": [RUN], "parameters": {}}


def measure(
    sdk: Callable[[], object], raw: Callable[[], object], calls: int
) -> tuple[list[float], list[float]]:
    """Microseconds per call of each, alternating so both see the same machine load."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(calls + 50):
        for fn, into in ((sdk, samples[0]), (raw, samples[1])):
            started = time.perf_counter_ns()
            fn()
            if i >= 50:  # the first calls warm up connections and caches
                into.append((time.perf_counter_ns() - started) / 1000.0)
    return samples


async def ameasure(
    sdk: Callable[[], Awaitable[object]], raw: Callable[[], Awaitable[object]], calls: int
) -> tuple[list[float], list[float]]:
    """Microseconds per call of each, alternating so both see the same machine load."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(calls + 50):
        for fn, into in ((sdk, samples[0]), (raw, samples[1])):
            started = time.perf_counter_ns()
            await fn()
            if i >= 50:
                into.append((time.perf_counter_ns() - started) / 1000.0)
    return samples


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.fmean(ordered), ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]


def report(setting: str, operation: str, samples: tuple[list[float], list[float]]) -> None:
    sdk, raw = samples
    s_mean, s_p50, s_p99 = summary(sdk)
    r_mean, r_p50, r_p99 = summary(raw)
    print(
        f"{setting:<17} {operation:<9} {s_p50:9.1f} {s_p99:9.1f} {r_p50:9.1f} {r_p99:9.1f}"
        f" {s_p50 - r_p50:9.1f} {s_mean / r_mean:7.2f}x"
    )


def in_memory_transport() -> httpx.MockTransport:
    card = (
        Model(
            id="quality-logreg",
            task="tabular-classification",
            algorithm="a",
            version="1",
            owner="system",
            created_at=0,
        )
        .model_dump_json()
        .encode()
    )
    prediction = (
        Prediction(
            id="pred_1",
            model="quality-logreg",
            outputs=[{"prediction": "pass"}],
            usage=Usage(inputs=1, compute_ms=0.1),
            created_at=0,
        )
        .model_dump_json()
        .encode()
    )

    def answer(request: httpx.Request) -> httpx.Response:
        body = prediction if request.method == "POST" else card
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(answer)


def bench_sync(
    setting: str, base_url: str, key: str, calls: int, transport: httpx.BaseTransport | None
) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with (
        httpx.Client(transport=transport) as sdk_http,
        httpx.Client(transport=transport, headers=headers) as raw,
        aiaas.Client(
            api_key=key, base_url=base_url, http_client=sdk_http, encryption="off"
        ) as client,
    ):
        report(
            setting,
            "retrieve",
            measure(
                lambda: client.models.retrieve("quality-logreg"),
                lambda: raw.get(f"{base_url}/v1/models/quality-logreg").json(),
                calls,
            ),
        )
        report(
            setting,
            "predict",
            measure(
                lambda: client.models.predict("quality-logreg", inputs=[RUN]),
                lambda: raw.post(
                    f"{base_url}/v1/models/quality-logreg/predict", json=PREDICT_BODY
                ).json(),
                calls,
            ),
        )


async def bench_async(
    setting: str, base_url: str, key: str, calls: int, transport: httpx.AsyncBaseTransport | None
) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(transport=transport) as sdk_http,
        httpx.AsyncClient(transport=transport, headers=headers) as raw,
        aiaas.AsyncClient(
            api_key=key, base_url=base_url, http_client=sdk_http, encryption="off"
        ) as client,
    ):

        async def raw_get() -> object:
            return (await raw.get(f"{base_url}/v1/models/quality-logreg")).json()

        async def raw_post() -> object:
            response = await raw.post(
                f"{base_url}/v1/models/quality-logreg/predict", json=PREDICT_BODY
            )
            return response.json()

        report(
            setting,
            "retrieve",
            await ameasure(lambda: client.models.retrieve("quality-logreg"), raw_get, calls),
        )
        report(
            setting,
            "predict",
            await ameasure(
                lambda: client.models.predict("quality-logreg", inputs=[RUN]), raw_post, calls
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    calls = parser.parse_args().calls
    print(f"{calls} sequential calls each; times in microseconds per call\n")
    print(
        f"{'setting':<17} {'operation':<9} {'sdk p50':>9} {'sdk p99':>9} {'raw p50':>9} "
        f"{'raw p99':>9} {'added':>9} {'ratio':>8}"
    )
    memory_sync, memory_async = in_memory_transport(), in_memory_transport()
    bench_sync("in-memory sync", "https://bench.local", "aiaas_sk_bench", calls, memory_sync)
    asyncio.run(
        bench_async("in-memory async", "https://bench.local", "aiaas_sk_bench", calls, memory_async)
    )
    with MockServer() as server:
        bench_sync("loopback sync", server.base_url, server.api_key, calls, None)
        asyncio.run(bench_async("loopback async", server.base_url, server.api_key, calls, None))
    print("\nratio = mean SDK time / mean raw httpx time (raw parses JSON to dicts only)")


if __name__ == "__main__":
    main()
