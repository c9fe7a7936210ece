"""Start a KServe 0.21 model server on 127.0.0.1 with an iris classifier and an
echo model, over REST and gRPC. KServe binds every interface itself; here
uvicorn and the gRPC server are told to bind loopback only.

Run with the KServe environment's Python:
``AIAAS_ENGINE_PORT=8080 AIAAS_ENGINE_GRPC_PORT=8081 python kserve_engine.py``.
"""

import os
import uuid
from typing import Any

import grpc.aio
import kserve
import numpy as np
import uvicorn
from kserve import InferOutput, InferRequest, InferResponse
from kserve.protocol.grpc import server as grpc_server
from kserve.protocol.rest import server as rest_server
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


class _LoopbackConfig(uvicorn.Config):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["host"] = "127.0.0.1"
        super().__init__(*args, **kwargs)


rest_server.uvicorn.Config = _LoopbackConfig  # type: ignore[misc]


class _LoopbackAio:
    """grpc.aio as KServe's gRPC server sees it: its "[::]:port" becomes loopback."""

    @staticmethod
    def server(*args: Any, **kwargs: Any) -> grpc.aio.Server:
        server = grpc.aio.server(*args, **kwargs)
        add = server.add_insecure_port

        def loopback(address: str) -> int:
            return add("127.0.0.1:" + address.rsplit(":", 1)[1])

        server.add_insecure_port = loopback  # type: ignore[method-assign]
        return server


grpc_server.aio = _LoopbackAio  # type: ignore[assignment]


class Iris(kserve.Model):
    def __init__(self) -> None:
        super().__init__("iris")
        data = load_iris()
        self.classifier = LogisticRegression(max_iter=500).fit(data.data, data.target)
        self.ready = True

    async def predict(self, payload: InferRequest, *args: Any, **kwargs: Any) -> InferResponse:
        features = payload.inputs[0].as_numpy()
        predicted = self.classifier.predict(features).astype(np.int64)
        output = InferOutput(name="predict", shape=list(predicted.shape), datatype="INT64")
        output.set_data_from_numpy(predicted, binary_data=False)
        return InferResponse(
            response_id=payload.id or str(uuid.uuid4()),
            model_name=self.name,
            infer_outputs=[output],
        )


class Echo(kserve.Model):
    def __init__(self) -> None:
        super().__init__("echo")
        self.ready = True

    async def predict(self, payload: InferRequest, *args: Any, **kwargs: Any) -> InferResponse:
        outputs = []
        for tensor in payload.inputs:
            output = InferOutput(name=tensor.name, shape=tensor.shape, datatype=tensor.datatype)
            output.set_data_from_numpy(tensor.as_numpy(), binary_data=False)
            outputs.append(output)
        response_id = payload.id or str(uuid.uuid4())
        return InferResponse(
            response_id=response_id,
            model_name=self.name,
            infer_outputs=outputs,
            use_binary_outputs=payload.use_binary_outputs,
            requested_outputs=payload.request_outputs,
        )


if __name__ == "__main__":
    server = kserve.ModelServer(
        http_port=int(os.environ["AIAAS_ENGINE_PORT"]),
        grpc_port=int(os.environ["AIAAS_ENGINE_GRPC_PORT"]),
        enable_grpc=True,
        workers=1,
    )
    server.start([Iris(), Echo()])
