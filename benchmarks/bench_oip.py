"""aiaas.oip against tritonclient and raw httpx, side by side.

1. Calls, interleaved so all clients see the same machine load: client CPU per
   call (median process time: grpcio's threads included) and wall-clock p50, for a
   [1,4] and a [64,1024] FP32 echo, against each engine installed by
   .ci/install-engines (MLServer, KServe, Triton) and the mock:
   - REST in JSON and in binary: aiaas.oip vs a hand-written httpx post of the
     same body vs tritonclient.http;
   - gRPC: aiaas.oip.GrpcClient vs tritonclient.grpc.
2. Encode + decode throughput (MB/s) of FP32 tensors of 1 KB, 1 MB and 64 MB,
   JSON against the binary tensor data extension, without a server.

    .venv/bin/python benchmarks/bench_oip.py [--calls 300] [--engines mlserver kserve triton]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
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

from aiaas.oip import HEADER_LENGTH, Client, GrpcClient, Tensor
from aiaas.oip._codec import decode_result, encode_infer
from aiaas_mock import MockServer

SMALL = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)
BIG = np.random.default_rng(0).standard_normal((64, 1024)).astype(np.float32)
READY = {
    "mlserver": ("iris", "echo"),
    "kserve": ("iris", "echo"),
    "triton": ("iris", "echo_fp32"),
}


@contextlib.contextmanager
def engine(name: str) -> Iterator[tuple[str, str]]:
    grpc_port = free_port()
    with (
        tempfile.TemporaryDirectory() as folder,
        running_engine(name, free_port(), Path(folder), READY[name], grpc_port) as url,
    ):
        yield url, f"127.0.0.1:{grpc_port}"


def measure(calls: int, clients: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Per client: (client CPU ms per call, wall p50 ms), calls interleaved in a
    shuffled order; medians, so that a garbage collection or a neighbour's burst
    does not decide."""
    for call in clients.values():  # warm up connections and caches
        for _ in range(20):
            call()
    cpu: dict[str, list[float]] = {name: [] for name in clients}
    wall: dict[str, list[float]] = {name: [] for name in clients}
    order = list(clients.items())
    shuffle = random.Random(0).shuffle
    for _ in range(calls):
        # A new order each round: a client's cost depends on which ran just before
        # it (a fixed order moved one client's CPU by 10 % here).
        shuffle(order)
        for name, call in order:
            started_cpu, started = time.process_time(), time.perf_counter()
            call()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    return {n: (statistics.median(cpu[n]), statistics.median(wall[n])) for n in clients}


def sizes(name: str) -> list[tuple[str, Any]]:
    # Triton's echo models are one-dimensional: the same floats go flat there.
    return [
        (label, array.ravel() if name == "triton" else array)
        for label, array in (("[1,4]", SMALL), ("[64,1024]", BIG))
    ]


def rest_suite(url: str, name: str, calls: int) -> None:
    """REST first, before any gRPC channel exists: grpcio's threads would count in
    the process time of whatever runs beside them."""
    import tritonclient.http as triton_http

    echo, wanted = ("echo_fp32", "y") if name == "triton" else ("echo", "x")
    # Neither aiaas.oip nor tritonclient asks for compressed answers; httpx by
    # default does, and Triton then gzips them (8 ms more per 256 KB).
    with (
        Client(url, max_retries=0) as oip,
        httpx.Client(base_url=url, headers={"Accept-Encoding": "identity"}) as raw,
    ):
        triton = triton_http.InferenceServerClient(url.removeprefix("http://"))
        for label, data in sizes(name):
            repeat = calls if data.size < 100 else max(20, calls // 10)
            for encoding in ("json", "binary"):
                if encoding == "binary" and name == "mlserver":
                    continue  # MLServer takes no binary inputs over REST
                rows = rest_rows(oip, raw, triton, echo, wanted, data, encoding, name)
                report(f"{name}: {label} FP32 echo, REST {encoding}", measure(repeat, rows))
        triton.close()


def grpc_suite(target: str, name: str, calls: int) -> None:
    import tritonclient.grpc as triton_grpc

    echo, wanted = ("echo_fp32", "y") if name == "triton" else ("echo", "x")
    with GrpcClient(target, max_retries=0) as grpc:
        triton = triton_grpc.InferenceServerClient(target)
        for label, data in sizes(name):
            repeat = calls if data.size < 100 else max(20, calls // 10)

            def ours(data: Any = data) -> object:
                return grpc.infer(echo, [Tensor.from_numpy("x", data)]).outputs[0].to_numpy()

            def theirs(data: Any = data) -> object:
                given = triton_grpc.InferInput("x", list(data.shape), "FP32")
                given.set_data_from_numpy(data)
                return triton.infer(echo, [given]).as_numpy(wanted)

            rows: dict[str, Callable[[], object]] = {"aiaas.oip": ours, "tritonclient": theirs}
            report(f"{name}: {label} FP32 echo, gRPC", measure(repeat, rows))
        triton.close()


def rest_rows(
    oip: Client,
    raw: httpx.Client,
    triton: Any,
    echo: str,
    wanted: str,
    data: Any,
    encoding: str,
    name: str,
) -> dict[str, Callable[[], object]]:
    """The three REST clients making the same call from the same numpy array:
    aiaas.oip, a hand-written httpx post, and tritonclient.http."""
    import tritonclient.http as triton_http

    binary = encoding == "binary"
    path = f"/v2/models/{echo}/infer"
    shape = list(data.shape)

    def ours() -> object:
        tensor = Tensor.from_numpy("x", data)
        return oip.infer(echo, [tensor], encoding=encoding).outputs[0].to_numpy()  # type: ignore[arg-type]

    def by_hand() -> object:
        entry: dict[str, Any] = {"name": "x", "shape": shape, "datatype": "FP32"}
        if binary:
            entry["parameters"] = {"binary_data_size": data.nbytes}
            header = json.dumps(
                {"inputs": [entry], "parameters": {"binary_data_output": True}}
            ).encode()
            answer = raw.post(
                path,
                content=header + data.tobytes(),
                headers={
                    "Content-Type": "application/octet-stream",
                    HEADER_LENGTH: str(len(header)),
                },
            )
            split = int(answer.headers[HEADER_LENGTH])
            return np.frombuffer(answer.content, np.float32, offset=split).reshape(shape)
        entry["data"] = data.ravel().tolist()
        answer = raw.post(path, json={"inputs": [entry]})
        output = json.loads(answer.content)["outputs"][0]
        return np.asarray(output["data"], np.float32).reshape(output["shape"])

    def theirs() -> object:
        given = triton_http.InferInput("x", shape, "FP32")
        given.set_data_from_numpy(data, binary_data=binary)
        outputs = [triton_http.InferRequestedOutput(wanted, binary_data=binary)]
        # tritonclient sends no Content-Type, so KServe would read its JSON as binary.
        extra = None if binary or name != "kserve" else {"Content-Type": "application/json"}
        return triton.infer(echo, [given], outputs=outputs, headers=extra).as_numpy(wanted)

    return {"aiaas.oip": ours, "raw httpx": by_hand, "tritonclient": theirs}


def report(title: str, results: dict[str, tuple[float, float]]) -> None:
    baselines = [b for b in ("raw httpx", "tritonclient") if b in results]
    print(f"\n{title}")
    ratios = "".join(f"{'CPU vs ' + b:>20}" for b in baselines)
    print(f"  {'client':<14}{'CPU ms/call':>12}{'wall p50 ms':>13}{ratios}")
    for name, (cpu, wall) in results.items():
        against = "".join(f"{cpu / results[b][0]:>20.2f}" for b in baselines)
        print(f"  {name:<14}{cpu:>12.3f}{wall:>13.3f}{against}")


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
        with engine(name) as (url, grpc_target):
            rest_suite(url, name, args.calls)
            grpc_suite(grpc_target, name, args.calls)
    with MockServer(grpc=True) as server:
        # The mock's models take one tensor per field; its NER takes one BYTES tensor.
        tensors = [Tensor("text", "BYTES", [1], ["replace brg on pump 3"])]
        body, headers = encode_infer(tensors)
        auth = {"Authorization": f"Bearer {server.api_key}"}
        with (
            Client(server.base_url, api_key=server.api_key) as oip,
            GrpcClient(server.grpc_target, api_key=server.api_key) as grpc,
            httpx.Client(base_url=server.base_url, headers=auth) as raw,
        ):
            mock_rows: dict[str, Callable[[], object]] = {
                "aiaas.oip": lambda: oip.infer("maintenance-ner", tensors).outputs,
                "oip gRPC": lambda: grpc.infer("maintenance-ner", tensors).outputs,
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
