"""Real ``aiaas-mock serve`` processes for the reliability suite: provisioned on a
database file, bound to loopback on a free port, stopped (or killed) by the test
that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from aiaas_mock import ServerConfig
from aiaas_mock.store import Store
from tests.live.conftest import free_port


@dataclass(frozen=True)
class Credentials:
    """What ``provision`` made: one tenant, its keys and an OAuth client."""

    tenant_id: str
    full_key_id: str
    full_key: str
    read_only_key: str
    client_id: str
    client_secret: str


def provision(db: Path) -> Credentials:
    store = Store.open(ServerConfig(db_path=str(db)))
    try:
        tenant = store.tenants.create("plant-7")
        full = store.tenants.issue_key(tenant.id)
        read_only = store.tenants.issue_key(tenant.id, scopes=["models:read"])
        client = store.oauth.create_client(tenant.id)
        return Credentials(
            tenant.id,
            full.id,
            full.secret.reveal(),
            read_only.secret.reveal(),
            client.id,
            client.secret.reveal(),
        )
    finally:
        store.close()


def predictions_made(db: Path, tenant_id: str) -> int:
    store = Store.open(ServerConfig(db_path=str(db)))
    try:
        return store.predictions.count(tenant_id)
    finally:
        store.close()


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """``kill -9`` the server and everything it started."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start(db: Path, *args: str, port: int | None = None) -> ServerProcess:
    """A server on ``db``, answering ``/healthz`` (else ``RuntimeError``)."""
    port = port or free_port()
    log = db.with_name(f"server-{port}-{time.monotonic_ns()}.log")
    command = [sys.executable, "-m", "aiaas_mock", "serve", "--db", str(db)]
    command += ["--port", str(port), "--log-level", "warning", *args]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = ServerProcess(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log_text()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


@contextmanager
def running(db: Path, *args: str) -> Iterator[ServerProcess]:
    server = start(db, *args)
    try:
        yield server
    finally:
        server.stop()
