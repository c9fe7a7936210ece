"""MockServer, the pytest fixtures, the CLI, and clean client shutdown."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

import aiaas
from aiaas_mock import MockServer, ServerConfig
from aiaas_mock.tools.runner import bind_socket

REPO = Path(__file__).resolve().parents[2]


def test_server_runs_on_a_free_loopback_port_and_stops() -> None:
    with MockServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.api_key.startswith("aiaas_sk_")
        assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
        port = int(server.base_url.rsplit(":", 1)[1])
        assert server.api_key not in repr(server)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz")


def test_the_listening_socket_lets_asyncio_disable_nagle() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_fixtures_give_ready_clients(aiaas_mock: MockServer, aiaas_client: aiaas.Client) -> None:
    assert str(aiaas_client.base_url) == aiaas_mock.base_url
    assert aiaas_client.models.retrieve("regime-kmeans").task == "clustering"


async def test_async_fixture(aiaas_async_client: aiaas.AsyncClient) -> None:
    model = await aiaas_async_client.models.retrieve("quality-logreg")
    assert model.id == "quality-logreg"


def test_a_file_database_keeps_keys_and_order_across_restarts(tmp_path: Path) -> None:
    config = ServerConfig(db_path=str(tmp_path / "mock.db"))
    with MockServer(config) as first:
        assert first.tenant is not None
        key = first.admin.issue_key(first.tenant.id).secret.reveal()
        with aiaas.Client(api_key=key, base_url=first.base_url) as client:
            ids = [m.id for m in client.models.list()]
        dev_key = first.api_key
    with MockServer(config) as second, aiaas.Client(api_key=key, base_url=second.base_url) as c:
        assert [m.id for m in c.models.list()] == ids
        assert second.api_key != dev_key


def run_python(code: str, *, warnings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", warnings, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


ASYNC_SCRIPT = """
    import asyncio, gc, sys, aiaas
    from aiaas_mock import MockServer

    with MockServer() as server:
        async def use(close):
            client = aiaas.AsyncClient(api_key=server.api_key, base_url=server.base_url)
            await client.models.retrieve("quality-logreg")
            if close:
                await client.close()
            return client

        for close in (True, True) if sys.argv[1] == "close" else (False, True):
            client = asyncio.run(use(close))
            del client
            gc.collect()
    print("done")
"""


def test_a_closed_async_client_leaves_nothing_behind() -> None:
    result = run_python(ASYNC_SCRIPT.replace("sys.argv[1]", "'close'"), warnings="error")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert result.stderr == ""


def test_a_forgotten_async_client_causes_no_loop_errors() -> None:
    result = run_python(ASYNC_SCRIPT.replace("sys.argv[1]", "'forget'"), warnings="default")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert "Event loop is closed" not in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_serves_and_prints_a_key() -> None:
    command = [sys.executable, "-m", "aiaas_mock", "serve", "--port", "0", "--log-level", "warning"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            key_line = process.stdout.readline()
            base_url = banner.rsplit(" on ", 1)[1].strip()
            key = key_line.rsplit(": ", 1)[1].strip()
            with aiaas.Client(api_key=key, base_url=base_url, max_retries=10) as client:
                assert client.models.retrieve("quality-logreg").owner == "system"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_proxies_come_from_the_environment(
    aiaas_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = bind_socket("127.0.0.1", 0)  # bound but not listening: connections are refused
    proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with (
            aiaas.Client(
                api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url, max_retries=0
            ) as client,
            pytest.raises(aiaas.APIConnectionError),
        ):
            client.models.retrieve("quality-logreg")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with aiaas.Client(api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url) as client:
            assert client.models.retrieve("quality-logreg").id == "quality-logreg"
    finally:
        closed.close()


def test_each_start_on_a_database_leaves_one_live_dev_key(tmp_path: Path) -> None:
    config = ServerConfig(db_path=str(tmp_path / "aiaas.db"))
    keys = []
    for _ in range(3):
        with MockServer(config) as server:
            keys.append(server.api_key)
            live = httpx.get(f"{server.base_url}/v1/models", headers=_bearer(keys[-1]))
            assert live.status_code == 200
            for old in keys[:-1]:
                refused = httpx.get(f"{server.base_url}/v1/models", headers=_bearer(old))
                assert refused.json()["code"] == "revoked_api_key"


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_forwarded_addresses_do_not_dodge_the_guess_limiter() -> None:
    """50 wrong keys, each naming another client in X-Forwarded-For, from loopback:
    the limiter counts the real address and answers 429 after its limit."""
    with MockServer(ServerConfig(auth_failure_limit=5)) as server:
        codes = [
            httpx.get(
                f"{server.base_url}/v1/models",
                headers={**_bearer("aiaas_sk_wrong"), "X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(12)
        ]
    assert codes[:5] == [401] * 5
    assert set(codes[5:]) == {429}


def test_a_trusted_proxy_names_the_client() -> None:
    config = ServerConfig(auth_failure_limit=5, trusted_proxies=("127.0.0.1",))
    with MockServer(config) as server:
        codes = {
            httpx.get(
                f"{server.base_url}/v1/models",
                headers={**_bearer("aiaas_sk_wrong"), "X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(12)
        }
    assert codes == {401}


def test_clients_that_send_headers_too_slowly_are_cut_off() -> None:
    with MockServer(ServerConfig(header_timeout=0.5)) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never ends its headers
            slow.settimeout(5)
            started = time.monotonic()
            assert slow.recv(1024) == b""  # closed by the server
            assert time.monotonic() - started < 3
        assert httpx.get(f"{server.base_url}/healthz").status_code == 200
