"""Prediction latency of every system model, and how fast a server comes up.

* start-up: a fresh process starts a mock server and gets its first answer
  (GET /v1/models: cards carry shipped metrics, nothing trains), then the first
  prediction of each model with shipped weights (torch import and weights load
  included);
* latency: p50 and p99 of predict calls over loopback at batch 1 and batch 32,
  through the SDK with encryption off (so the model's cost is what shows).

Usage: python benchmarks/bench_models.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.zoo.examples import example_inputs

STARTUP = """
import json, sys, time
started = time.perf_counter()
import aiaas, httpx
from aiaas_mock import MockServer
with MockServer() as server:
    httpx.get(server.base_url + "/v1/models", headers={"Authorization": "Bearer " + server.api_key})
    first = time.perf_counter() - started
    cold = {}
    with aiaas.Client(api_key=server.api_key, base_url=server.base_url, encryption="off") as c:
        for model, item in json.loads(sys.argv[1]).items():
            t = time.perf_counter()
            c.models.predict(model, inputs=[item])
            cold[model] = time.perf_counter() - t
print(json.dumps({"first_answer": first, "cold": cold}))
"""


DEEP_AND_SHIPPED = (
    "defect-cnn",
    "rul-lstm",
    "sensor-autoencoder",
    "maintenance-word2vec",
    "maintenance-ner",
    "maintenance-srl",
)


def startup(inputs: dict[str, Any]) -> None:
    deep = {m: inputs[m] for m in DEEP_AND_SHIPPED}
    result = subprocess.run(
        [sys.executable, "-c", STARTUP, json.dumps(deep)],
        check=True,
        capture_output=True,
        text=True,
    )
    times = json.loads(result.stdout)
    print(f"start-up, fresh process to first answer: {times['first_answer']:.2f} s")
    for model, seconds in times["cold"].items():
        print(f"  first {model} prediction (loads its weights, torch or CRFsuite): {seconds:.2f} s")


def latency(inputs: dict[str, Any], calls: int) -> None:
    print(f"\npredict latency over loopback, {calls} calls each (ms)")
    print(
        f"  {'model':<20} {'b1 p50':>8} {'b1 p99':>8} {'b32 p50':>8} {'b32 p99':>8} "
        f"{'b32 per item':>12}"
    )
    with (
        MockServer() as server,
        aiaas.Client(api_key=server.api_key, base_url=server.base_url, encryption="off") as client,
    ):
        for model, item in inputs.items():
            row = []
            for batch in (1, 32):
                client.models.predict(model, inputs=[item] * batch)  # warm up
                samples = []
                for _ in range(calls):
                    started = time.perf_counter()
                    client.models.predict(model, inputs=[item] * batch)
                    samples.append((time.perf_counter() - started) * 1000)
                samples.sort()
                row += [statistics.median(samples), samples[int(len(samples) * 0.99) - 1]]
            print(
                f"  {model:<20} {row[0]:8.1f} {row[1]:8.1f} {row[2]:8.1f} {row[3]:8.1f} "
                f"{row[2] / 32:12.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    calls = parser.parse_args().calls
    inputs = example_inputs()
    startup(inputs)
    latency(inputs, calls)


if __name__ == "__main__":
    main()
