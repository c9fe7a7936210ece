"""aiaas.oip against tritonclient.http and raw httpx, side by side.

1. Calls, interleaved so all clients see the same machine load: client CPU per
   call (process time) and wall-clock p50, for a [1,4] FP64 classifier call and
   a [64,1024] FP32 echo in JSON and in binary, against each engine installed by
   .ci/install-engines (MLServer, KServe, Triton) and the mock's /v2.
2. Encode + decode throughput (MB/s) of FP32 tensors of 1 KB, 1 MB and 64 MB,
   JSON against the binary tensor data extension, without a server.

    .venv/bin/python benchmarks/bench_oip.py [--calls 300] [--engines mlserver kserve triton]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live.conftest import ENGINES, free_port, running_engine

from aiaas.oip import Client, Tensor
from aiaas.oip._codec import decode_result, encode_infer
from aiaas_mock import MockServer

IRIS_ROW = [[5.1, 3.5, 1.4, 0.2]]
BIG = np.random.default_rng(0).standard_normal((64, 1024)).astype(np.float32)
READY = {
    "mlserver": ("iris", "echo"),
    "kserve": ("iris", "echo"),
    "triton": ("iris", "echo_fp32"),
}


@contextlib.contextmanager
def engine(name: str) -> Iterator[str]:
    with (
        tempfile.TemporaryDirectory() as folder,
        running_engine(name, free_port(), Path(folder), READY[name]) as url,
    ):
        yield url


def measure(calls: int, clients: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Per client: (client CPU ms per call, wall p50 ms), calls interleaved."""
    for call in clients.values():  # warm up connections and caches
        for _ in range(5):
            call()
    cpu: dict[str, list[float]] = {name: [] for name in clients}
    wall: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(calls):
        for name, call in clients.items():
            started_cpu, started = time.process_time(), time.perf_counter()
            call()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    return {n: (statistics.fmean(cpu[n]), statistics.median(wall[n])) for n in clients}


def call_suite(url: str, name: str, calls: int, api_key: str | None = None) -> None:
    import tritonclient.http as triton_http

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    oip = Client(url, api_key=api_key, max_retries=0)
    raw = httpx.Client(base_url=url, headers=headers)
    triton = triton_http.InferenceServerClient(url.removeprefix("http://"))
    model, echo = ("iris", "echo_fp32" if name == "triton" else "echo")
    small = Tensor("input-0", "FP64", [1, 4], IRIS_ROW)
    small_body, small_headers = encode_infer([small])

    def triton_small() -> object:
        # tritonclient sends no Content-Type, so KServe reads its JSON as binary: use
        # its binary mode there (MLServer, in turn, takes no binary inputs).
        data = triton_http.InferInput("input-0", [1, 4], "FP64")
        data.set_data_from_numpy(np.array(IRIS_ROW), binary_data=name != "mlserver")
        return triton.infer(model, [data]).as_numpy("predict")

    def raw_small() -> object:
        answer = raw.post(f"/v2/models/{model}/infer", content=small_body, headers=small_headers)
        return json.loads(answer.content)["outputs"][0]["data"]

    rows = {
        "aiaas.oip": lambda: oip.infer(model, [small]).output("predict").data,
        "tritonclient": triton_small,
        "raw httpx": raw_small,
    }
    report(f"{name}: [1,4] FP64 classifier", measure(calls, rows))
    # Triton's echo models are one-dimensional: the same 256 KB go as [65536] there.
    array = BIG.ravel() if name == "triton" else BIG
    big = Tensor.from_numpy("x", array)
    for encoding in ("json", "binary"):
        if encoding == "binary" and name == "mlserver":
            continue  # MLServer takes no binary inputs
        binary = encoding == "binary"

        def ours(encoding: str = encoding) -> object:
            return oip.infer(echo, [big], encoding=encoding).outputs[0].to_numpy()  # type: ignore[arg-type]

        def theirs(binary: bool = binary) -> object:
            data = triton_http.InferInput("x", list(array.shape), "FP32")
            data.set_data_from_numpy(array, binary_data=binary)
            wanted = [
                triton_http.InferRequestedOutput(
                    "y" if name == "triton" else "x", binary_data=binary
                )
            ]
            headers = None if binary or name != "kserve" else {"Content-Type": "application/json"}
            return triton.infer(echo, [data], outputs=wanted, headers=headers).as_numpy(
                "y" if name == "triton" else "x"
            )

        big_rows: dict[str, Callable[[], object]] = {"aiaas.oip": ours, "tritonclient": theirs}
        report(f"{name}: [64,1024] FP32 echo, {encoding}", measure(max(20, calls // 10), big_rows))
    oip.close()
    raw.close()
    triton.close()


def report(title: str, results: dict[str, tuple[float, float]]) -> None:
    baseline = "tritonclient" if "tritonclient" in results else "raw httpx"
    base = results[baseline]
    print(f"\n{title}")
    print(f"  {'client':<14}{'CPU ms/call':>12}{'wall p50 ms':>13}{'CPU vs ' + baseline:>21}")
    for name, (cpu, wall) in results.items():
        print(f"  {name:<14}{cpu:>12.3f}{wall:>13.3f}{cpu / base[0]:>21.2f}")


def throughput() -> None:
    print("\nencode + decode, FP32 (MB/s of tensor data)")
    print(f"  {'size':>8}{'json':>10}{'binary':>10}")
    for size in (1 << 10, 1 << 20, 64 << 20):
        array = np.random.default_rng(1).standard_normal(size // 4).astype(np.float32)
        rates = []
        for encoding in ("json", "binary"):
            repeats = max(1, (8 << 20) // size)
            started = time.perf_counter()
            for _ in range(repeats):
                tensor = Tensor.from_numpy("x", array)
                body, headers = encode_infer([tensor], encoding=encoding, binary_outputs=False)
                answer = _as_answer(body, headers)
                decode_result(answer).outputs[0].to_numpy()
            rates.append(size * repeats / (time.perf_counter() - started) / 1e6)
        print(f"  {_size(size):>8}{rates[0]:>10.1f}{rates[1]:>10.1f}")


def _as_answer(body: bytes, headers: dict[str, str]) -> httpx.Response:
    """The request turned into the answer an echo engine gives: same tensor, named y."""
    split = int(headers.get("Inference-Header-Content-Length", len(body)))
    message: dict[str, Any] = json.loads(body[:split])
    answer = {"model_name": "echo", "outputs": message["inputs"]}
    header = json.dumps(answer).encode()
    extra = {"Inference-Header-Content-Length": str(len(header))} if split < len(body) else {}
    return httpx.Response(200, headers=extra, content=header + body[split:])


def _size(size: int) -> str:
    return f"{size >> 20} MB" if size >= 1 << 20 else f"{size >> 10} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--engines", nargs="*", default=["mlserver", "kserve", "triton"])
    args = parser.parse_args()
    for name in args.engines:
        if not (ENGINES / name / "bin" / "python").exists():
            print(f"\n{name}: not installed (run .ci/install-engines)")
            continue
        with engine(name) as url:
            call_suite(url, name, args.calls)
    with MockServer() as server:
        # The mock's models take one tensor per field; its NER takes one BYTES tensor.
        tensors = [Tensor("text", "BYTES", [1], ["replace brg on pump 3"])]
        body, headers = encode_infer(tensors)
        auth = {"Authorization": f"Bearer {server.api_key}"}
        with (
            Client(server.base_url, api_key=server.api_key) as oip,
            httpx.Client(base_url=server.base_url, headers=auth) as raw,
        ):
            mock_rows: dict[str, Callable[[], object]] = {
                "aiaas.oip": lambda: oip.infer("maintenance-ner", tensors).outputs,
                "raw httpx": lambda: json.loads(
                    raw.post(
                        "/v2/models/maintenance-ner/infer", content=body, headers=headers
                    ).content
                )["outputs"],
            }
            report("mock: maintenance-ner, one text", measure(args.calls, mock_rows))
    throughput()


if __name__ == "__main__":
    main()
