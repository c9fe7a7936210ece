"""Start NVIDIA Triton (the tritonserver inside nvidia-pytriton) on 127.0.0.1 with
an iris classifier and one echo model per datatype (Triton models declare theirs).

Run with the Triton environment's Python, a venv of the system's python3.11:
``AIAAS_ENGINE_PORT=8000 python triton_engine.py``.
"""

import os
import socket

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

DATATYPES = {
    "bool": np.bool_,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "fp16": np.float16,
    "fp32": np.float32,
    "fp64": np.float64,
    "bytes": np.bytes_,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    data = load_iris()
    classifier = LogisticRegression(max_iter=500).fit(data.data, data.target)

    @batch
    def iris(**inputs: np.ndarray) -> dict[str, np.ndarray]:
        return {"predict": classifier.predict(inputs["input-0"]).astype(np.int64)[:, None]}

    def echo(requests: list) -> list:
        return [{"y": request["x"]} for request in requests]

    config = TritonConfig(
        http_address="127.0.0.1",
        http_port=int(os.environ["AIAAS_ENGINE_PORT"]),
        grpc_address="127.0.0.1",
        grpc_port=int(os.environ["AIAAS_ENGINE_GRPC_PORT"]),
        metrics_address="127.0.0.1",
        metrics_port=free_port(),
    )
    with Triton(config=config) as triton:
        triton.bind(
            model_name="iris",
            infer_func=iris,
            inputs=[Tensor(name="input-0", dtype=np.float64, shape=(4,))],
            outputs=[Tensor(name="predict", dtype=np.int64, shape=(1,))],
            config=ModelConfig(max_batch_size=64),
        )
        for name, dtype in DATATYPES.items():
            triton.bind(
                model_name=f"echo_{name}",
                infer_func=echo,
                inputs=[Tensor(name="x", dtype=dtype, shape=(-1,))],
                outputs=[Tensor(name="y", dtype=dtype, shape=(-1,))],
                config=ModelConfig(batching=False),
            )
        triton.serve()


if __name__ == "__main__":
    main()
