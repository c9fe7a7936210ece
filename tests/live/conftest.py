"""Real inference engines on 127.0.0.1, one per session, for the live tier.

`.ci/install-engines` puts MLServer 1.7.1, KServe 0.21.0 and Triton (PyTriton
0.7.0) into virtual environments of their own under `.engines/`; each test
session starts the ones it needs with `engines/*_engine.py`, waits until every
model is ready, and stops them (the whole process group) at the end. The mock's
`/v2` takes part in the same suite as a fourth engine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from aiaas.oip import DATATYPES
from aiaas_mock import MockServer

REPOSITORY = Path(__file__).resolve().parents[2]
ENGINES = Path(os.environ.get("AIAAS_ENGINES_DIR", REPOSITORY / ".engines"))
LAUNCHERS = Path(__file__).parent / "engines"
START_TIMEOUT = 180.0

ECHO_TYPES = tuple(d for d in DATATYPES if d != "BF16")
"""Every datatype of the protocol: no engine here has BF16 echo models."""


@dataclass(frozen=True)
class Engine:
    """A running engine and what it can do, as observed (../shared/data/oip)."""

    name: str
    base_url: str
    grpc_target: str
    """``127.0.0.1:port`` of its gRPC service."""
    api_key: str | None = None
    binary_inputs: bool = True
    json_fp16: bool = False
    versioned_routes: bool = True
    zoo: bool = False
    """The aiaas mock: zoo models instead of iris and echo."""
    repository_index: bool = False
    echo_output: str = "x"
    per_type_echo: bool = False
    ready_models: tuple[str, ...] = field(default=())

    def echo_model(self, datatype: str) -> str:
        return f"echo_{datatype.lower()}" if self.per_type_echo else "echo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, models: tuple[str, ...]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    paths = ["/v2/health/ready", *(f"/v2/models/{m}/ready" for m in models)]
    with httpx.Client(base_url=base_url, timeout=2.0) as http:
        while paths:
            if process.poll() is not None:
                raise RuntimeError(f"the engine exited with {process.returncode} while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base_url} not ready after {START_TIMEOUT:.0f} s: {paths[0]}")
            try:
                if http.get(paths[0]).status_code == 200:
                    paths.pop(0)
                    continue
            except httpx.TransportError:
                pass
            time.sleep(0.5)


def _wait_listening(process: subprocess.Popen[bytes], port: int) -> None:
    """Until something accepts connections on 127.0.0.1:``port`` (the gRPC server,
    which some engines start after their REST one)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the engine exited with {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on gRPC port {port}") from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@contextlib.contextmanager
def running_engine(
    name: str,
    port: int,
    folder: Path,
    ready_models: tuple[str, ...],
    grpc_port: int | None = None,
) -> Iterator[str]:
    """Engine ``name`` serving REST on 127.0.0.1:``port`` (and gRPC on ``grpc_port``,
    any free one if not given) until the block ends; its base URL. Its log goes
    to ``folder/<name>.log``, whose tail a failed start shows."""
    base_url = f"http://127.0.0.1:{port}"
    grpc_port = grpc_port or free_port()
    log_path = folder / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(ENGINES / name / "bin" / "python"),
                str(LAUNCHERS / f"{name}_engine.py"),
                str(port),
                str(folder / name),
            ],
            env={
                **os.environ,
                "AIAAS_ENGINE_PORT": str(port),
                "AIAAS_ENGINE_GRPC_PORT": str(grpc_port),
            },
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: the engine and its model processes
        )
        try:
            try:
                _wait_ready(process, base_url, ready_models)
                _wait_listening(process, grpc_port)
            except RuntimeError as exc:
                log.flush()
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name}: {exc}\n{tail}") from None
            yield base_url
        finally:
            _stop(process)


def _launch(name: str, engine: Engine, tmp: Path) -> Iterator[Engine]:
    if not (ENGINES / name / "bin" / "python").exists():
        pytest.skip(f"{name} is not installed in {ENGINES / name}; run .ci/install-engines")
    port = int(engine.base_url.rsplit(":", 1)[1])
    grpc_port = int(engine.grpc_target.rsplit(":", 1)[1])
    with running_engine(name, port, tmp, engine.ready_models, grpc_port):
        yield engine


@pytest.fixture(scope="session")
def mlserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = Engine(
        "mlserver",
        f"http://127.0.0.1:{free_port()}",
        f"127.0.0.1:{free_port()}",
        binary_inputs=False,
        json_fp16=True,
        repository_index=True,
        ready_models=("iris", "echo"),
    )
    yield from _launch("mlserver", engine, tmp_path_factory.mktemp("mlserver"))


@pytest.fixture(scope="session")
def kserve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = Engine(
        "kserve",
        f"http://127.0.0.1:{free_port()}",
        f"127.0.0.1:{free_port()}",
        versioned_routes=False,
        ready_models=("iris", "echo"),
    )
    yield from _launch("kserve", engine, tmp_path_factory.mktemp("kserve"))


@pytest.fixture(scope="session")
def triton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    echo = tuple(f"echo_{t.lower()}" for t in ECHO_TYPES)
    engine = Engine(
        "triton",
        f"http://127.0.0.1:{free_port()}",
        f"127.0.0.1:{free_port()}",
        echo_output="y",
        per_type_echo=True,
        ready_models=("iris", *echo),
    )
    yield from _launch("triton", engine, tmp_path_factory.mktemp("triton"))


@pytest.fixture(scope="session")
def mock_engine() -> Iterator[Engine]:
    with MockServer(grpc=True) as server:
        yield Engine("mock", server.base_url, server.grpc_target, api_key=server.api_key, zoo=True)


@pytest.fixture(params=["mlserver", "kserve", "triton", "mock"])
def engine(request: pytest.FixtureRequest) -> Engine:
    fixture = "mock_engine" if request.param == "mock" else request.param
    running: Engine = request.getfixturevalue(fixture)
    return running
