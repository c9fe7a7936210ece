"""Start Seldon MLServer on 127.0.0.1 with an iris classifier and an echo model.

Run with the MLServer environment's Python: ``python mlserver_engine.py PORT FOLDER``.
"""

import json
import os
import socket
import sys
from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

ECHO_RUNTIME = """
from mlserver import MLModel
from mlserver.types import InferenceRequest, InferenceResponse, ResponseOutput


class EchoRuntime(MLModel):
    async def load(self) -> bool:
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        outputs = [
            ResponseOutput(name=i.name, shape=i.shape, datatype=i.datatype, data=i.data)
            for i in payload.inputs
        ]
        return InferenceResponse(model_name=self.name, id=payload.id, outputs=outputs)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "host": "127.0.0.1",
        "http_port": port,
        "grpc_port": int(os.environ["AIAAS_ENGINE_GRPC_PORT"]),
        "metrics_port": free_port(),
        "parallel_workers": 0,
    }
    (folder / "settings.json").write_text(json.dumps(settings))
    iris = folder / "iris"
    iris.mkdir(exist_ok=True)
    data = load_iris()
    joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), iris / "model.joblib")
    (iris / "model-settings.json").write_text(
        json.dumps(
            {
                "name": "iris",
                "implementation": "mlserver_sklearn.SKLearnModel",
                "parameters": {"uri": "./model.joblib", "version": "v1"},
                "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, 4]}],
                "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1, 1]}],
            }
        )
    )
    echo = folder / "echo"
    echo.mkdir(exist_ok=True)
    (echo / "echo_runtime.py").write_text(ECHO_RUNTIME)
    (echo / "model-settings.json").write_text(
        json.dumps({"name": "echo", "implementation": "echo_runtime.EchoRuntime"})
    )
    os.chdir(folder)
    command = [sys.executable, "-m", "mlserver.cli.main", "start", str(folder)]
    os.execv(sys.executable, command)  # noqa: S606 (a fixed command, no shell)


if __name__ == "__main__":
    main()
