"""Per-call cost of the SDK next to raw httpx, sync and async.

Two settings:

* in-memory: both clients use an ``httpx.MockTransport`` answering at once, so
  the numbers are the client-side cost alone (request building, auth, retry
  bookkeeping, parsing into pydantic models);
* loopback: both clients call the same mock server, which runs in its own
  process (in the client's it would share the GIL); the client's CPU time per
  call is what the SDK adds, the wall time is what a caller waits.

Calls alternate between the SDK and raw httpx so both see the same machine
load; every figure is a median. A last table times JSON encoding of a large
image batch against ``base64`` plus ``json.dumps``.

Usage: python benchmarks/bench_client_overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from common import RUN
from servers import mock_server

import aiaas
from aiaas._encoding import dumps
from aiaas.types import Model, Prediction, Usage

PREDICT_BODY = {"inputs": [RUN], "parameters": {}}
WARM_UP = 50


@dataclass
class Samples:
    wall_us: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def add(self, wall_ns: int, cpu_ns: int) -> None:
        self.wall_us.append(wall_ns / 1000.0)
        self.cpu_us.append(cpu_ns / 1000.0)


def measure(
    sdk: Callable[[], object], raw: Callable[[], object], calls: int
) -> tuple[Samples, Samples]:
    samples = (Samples(), Samples())
    for i in range(calls + WARM_UP):
        for fn, into in ((sdk, samples[0]), (raw, samples[1])):
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            fn()
            if i >= WARM_UP:  # the first calls open connections and fill caches
                into.add(time.perf_counter_ns() - wall, time.thread_time_ns() - cpu)
    return samples


async def ameasure(
    sdk: Callable[[], Awaitable[object]], raw: Callable[[], Awaitable[object]], calls: int
) -> tuple[Samples, Samples]:
    samples = (Samples(), Samples())
    for i in range(calls + WARM_UP):
        for fn, into in ((sdk, samples[0]), (raw, samples[1])):
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            await fn()
            if i >= WARM_UP:
                into.add(time.perf_counter_ns() - wall, time.thread_time_ns() - cpu)
    return samples


def report(setting: str, operation: str, samples: tuple[Samples, Samples]) -> None:
    sdk, raw = samples
    s_cpu, r_cpu = statistics.median(sdk.cpu_us), statistics.median(raw.cpu_us)
    s_wall, r_wall = statistics.median(sdk.wall_us), statistics.median(raw.wall_us)
    print(
        f"{setting:<16} {operation:<9} {s_cpu:8.1f} {r_cpu:8.1f} {s_cpu / r_cpu:6.2f}x"
        f" {s_wall:9.1f} {r_wall:9.1f} {s_wall / r_wall:6.2f}x"
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
                    f"{base_url}/v1/models/quality-logreg/predict",
                    json=PREDICT_BODY,
                    headers={"Idempotency-Key": os.urandom(16).hex()},
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
                f"{base_url}/v1/models/quality-logreg/predict",
                json=PREDICT_BODY,
                headers={"Idempotency-Key": os.urandom(16).hex()},
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


def bench_encoding() -> None:
    """64 PNG-sized images: the SDK's encoder against base64 plus ``json.dumps``."""
    images = [bytes(range(256)) * 64 for _ in range(64)]  # 16 KB each

    def sdk() -> bytes:
        return dumps({"inputs": [{"image": image} for image in images], "parameters": {}})

    def baseline() -> bytes:
        inputs = [{"image": base64.b64encode(image).decode("ascii")} for image in images]
        return json.dumps({"inputs": inputs, "parameters": {}}).encode()

    assert json.loads(sdk()) == json.loads(baseline())
    samples = measure(sdk, baseline, 200)
    sdk_us, base_us = (statistics.median(s.cpu_us) for s in samples)
    print(
        f"\nencoding 64 images of 16 KB: SDK {sdk_us:.0f} µs, base64 + json.dumps {base_us:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    calls = parser.parse_args().calls
    print(f"{calls} sequential calls each, alternating; medians in microseconds per call\n")
    print(
        f"{'setting':<16} {'operation':<9} {'sdk cpu':>8} {'raw cpu':>8} {'ratio':>7}"
        f" {'sdk wall':>9} {'raw wall':>9} {'ratio':>7}"
    )
    memory_sync, memory_async = in_memory_transport(), in_memory_transport()
    bench_sync("in-memory sync", "https://bench.local", "aiaas_sk_bench", calls, memory_sync)
    asyncio.run(
        bench_async("in-memory async", "https://bench.local", "aiaas_sk_bench", calls, memory_async)
    )
    with mock_server() as server:
        bench_sync("loopback sync", server.base_url, server.api_key, calls, None)
        asyncio.run(bench_async("loopback async", server.base_url, server.api_key, calls, None))
    print(
        "\nBoth send the same request (raw httpx with its own Idempotency-Key on POST, as a"
        "\nretry-safe caller must); raw parses JSON to dicts, the SDK into its pydantic types."
    )
    bench_encoding()


if __name__ == "__main__":
    main()
