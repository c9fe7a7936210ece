"""Servers the benchmarks measure, each in its own process.

A server in the load generator's process would share its GIL and its CPU
accounting, so every benchmark that talks to a server starts one here.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

KEY_LINE = re.compile(r"Development API key .*: (\S+)")

TRIVIAL_APP = """
from fastapi import FastAPI, Request
app = FastAPI()
ANSWER = {"object": "prediction", "outputs": [{"failure": False, "failure_probability": 0.01}]}
@app.get("/v1/models")
async def models() -> dict:
    return ANSWER
@app.post("/v1/models/{model_id}/predict")
async def predict(model_id: str, request: Request) -> dict:
    await request.json()
    return ANSWER
@app.post("/v1/embeddings")
async def embeddings(request: Request) -> dict:
    await request.json()
    return ANSWER
@app.post("/v1/datasets")
async def upload(request: Request) -> dict:
    # The transfer's ceiling: read the stream and throw it away.
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return {"bytes": size}
@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
"""


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    api_key: str

    def cpu_seconds(self) -> float:
        """User and system CPU of the server and its worker processes."""
        ticks = 0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker processes."""
        total = 0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
        return total / 1024

    def peak_rss_mb(self) -> float:
        """Peak resident memory (``VmHWM``) of the server and of its worker
        processes (each its own peak, summed)."""
        total = 0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")
            )
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base_url} did not start")


def start_mock(
    db: Path | None, workers: int = 1, *args: str, python: str = sys.executable
) -> Server:
    """``aiaas-mock serve`` on a free loopback port, with its database in ``db``
    (``None``: in memory, the default), more ``args``, run by ``python``."""
    port = free_port()
    command = [python, "-m", "aiaas_mock", "serve", "--port", str(port), *args]
    command += ["--log-level", "warning"]
    if db is not None:
        command += ["--db", str(db)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    api_key = ""
    for line in process.stdout:
        if match := KEY_LINE.search(line):
            api_key = match.group(1)
            break
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url)
    return Server(process, base_url, api_key)


def start_trivial(directory: Path) -> Server:
    """The baseline: a FastAPI app answering constant JSON under the same uvicorn."""
    (directory / "trivial_app.py").write_text(TRIVIAL_APP)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "trivial_app:app", "--port", str(port)]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(command, cwd=directory, text=True)
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url)
    return Server(process, base_url, "unused")


@contextmanager
def mock_server(workers: int = 1) -> Iterator[Server]:
    """A mock server in its own process on a scratch database, stopped on exit."""
    with TemporaryDirectory() as scratch:
        server = start_mock(Path(scratch) / "bench.db", workers)
        try:
            yield server
        finally:
            server.stop()
