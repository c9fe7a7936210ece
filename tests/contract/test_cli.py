"""``aiaas-mock`` administration commands against a database file, and ``serve --tls``."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import aiaas
from aiaas_mock import MockServer, ServerConfig
from aiaas_mock.tools.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tenants_keys_and_clients(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "mock.db")
    code, out, _ = run(capsys, "tenants", "create", "line-3", "--db", db)
    assert code == 0
    tenant_id = out.split()[1]
    assert run(capsys, "tenants", "list", "--db", db)[1] == f"{tenant_id} line-3\n"

    _, out, _ = run(
        capsys,
        "keys",
        "create",
        "--tenant",
        "line-3",
        "--scopes",
        "models:read,inference",
        "--db",
        db,
    )
    key_id = re.search(r"key (key_\w+)", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"(aiaas_sk_\S+)", out).group(1)  # type: ignore[union-attr]
    _, out, _ = run(capsys, "clients", "create", "--tenant", tenant_id, "--db", db)
    client_id = re.search(r"(cli_\w+)", out).group(1)  # type: ignore[union-attr]
    client_secret = re.search(r"(aiaas_cs_\S+)", out).group(1)  # type: ignore[union-attr]

    with MockServer(ServerConfig(db_path=db)) as server:
        with aiaas.Client(api_key=secret, base_url=server.base_url) as sdk:
            assert sdk.models.retrieve("quality-logreg").id == "quality-logreg"
        creds = aiaas.ClientCredentials(client_id, client_secret)
        with aiaas.Client(credentials=creds, base_url=server.base_url) as sdk:
            assert sdk.models.retrieve("regime-kmeans").id == "regime-kmeans"

    assert run(capsys, "keys", "revoke", key_id, "--db", db)[0] == 0
    assert run(capsys, "clients", "revoke", client_id, "--db", db)[0] == 0
    with MockServer(ServerConfig(db_path=db)) as server:
        with (
            aiaas.Client(api_key=secret, base_url=server.base_url) as sdk,
            pytest.raises(aiaas.AuthenticationError, match="revoked_api_key"),
        ):
            sdk.models.retrieve("quality-logreg")
        creds = aiaas.ClientCredentials(client_id, client_secret)
        with (
            aiaas.Client(credentials=creds, base_url=server.base_url) as sdk,
            pytest.raises(aiaas.AuthenticationError, match="invalid_client"),
        ):
            sdk.models.retrieve("quality-logreg")


def test_mistakes_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "mock.db")
    assert run(capsys, "tenants", "create", "twice", "--db", db)[0] == 0
    code, _, err = run(capsys, "tenants", "create", "twice", "--db", db)
    assert (code, err) == (1, "aiaas-mock: a tenant named 'twice' exists\n")
    code, _, err = run(capsys, "keys", "create", "--tenant", "nobody", "--db", db)
    assert (code, err) == (1, "aiaas-mock: no tenant 'nobody'\n")
    code, _, err = run(capsys, "keys", "revoke", "key_nope", "--db", db)
    assert (code, err) == (1, "aiaas-mock: no active key 'key_nope'\n")
    with pytest.raises(SystemExit):
        main(["keys", "create", "--tenant", "x", "--scopes", "root", "--db", db])
    with pytest.raises(SystemExit):
        main(["tenants", "list"])  # --db is required


def test_commands_that_read_a_database_refuse_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.db"
    for argv in (
        ("tenants", "list"),
        ("keys", "create", "--tenant", "x"),
        ("keys", "revoke", "key_x"),
        ("clients", "create", "--tenant", "x"),
    ):
        code, _, err = run(capsys, *argv, "--db", str(typo))
        assert code == 1
        assert (
            err == f"aiaas-mock: no database {str(typo)!r} (a first 'tenants create' makes one)\n"
        )
    assert not typo.exists()
    assert run(capsys, "tenants", "create", "plant", "--db", str(typo))[0] == 0
    assert typo.is_file()


def test_without_the_mock_extra_the_command_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else found(name, *a)
    )
    code, out, err = run(capsys, "serve")
    assert (code, out) == (2, "")
    assert err == 'aiaas-mock: the aiaas mock server needs fastapi: pip install "aiaas[mock]"\n'


def test_without_the_mock_extra_the_fixture_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import importlib.util\n"
        "found = importlib.util.find_spec\n"
        "def find(name, *rest):\n"
        "    return None if name == 'uvicorn' else found(name, *rest)\n"
        "importlib.util.find_spec = find\n"
    )
    (tmp_path / "test_uses_the_mock.py").write_text(
        "def test_it(aiaas_client):\n    aiaas_client.models.list()\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert 'the aiaas mock server needs uvicorn: pip install "aiaas[mock]"' in done.stdout
    assert "Traceback" not in done.stdout


def test_serve_shows_what_it_loads_before_it_answers(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiaas_mock", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
        assert first == "aiaas mock server: building the model catalogue\n"
        loaded = [server.stderr.readline() for _ in range(3)]
        assert loaded[0].startswith("aiaas-mock: quality-logreg: read its card in ")
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_tls_prints_its_ca(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "aiaas_mock",
        "serve",
        "--port",
        "0",
        "--tls",
        "--tls-dir",
        str(tmp_path),
        "--log-level",
        "warning",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(3)]
            base_url = lines[0].rsplit(" on ", 1)[1].strip()
            key = lines[1].rsplit(": ", 1)[1].strip()
            ca = lines[2].split()[2]
            assert base_url.startswith("https://")
            assert ca == str(tmp_path / "ca.pem")
            assert oct((tmp_path / "server.key").stat().st_mode & 0o777) == "0o600"
            with aiaas.Client(api_key=key, base_url=base_url, verify=ca, max_retries=10) as sdk:
                assert sdk.models.retrieve("quality-logreg").owner == "system"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_serve_grpc_port_serves_v2_over_grpc() -> None:
    from aiaas.oip import GrpcClient, Tensor

    command = [sys.executable, "-m", "aiaas_mock", "serve", "--port", "0", "--grpc-port", "0"]
    command += ["--log-level", "warning"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(3)]
            key = lines[1].rsplit(": ", 1)[1].strip()
            assert lines[2].startswith("/v2 over gRPC on 127.0.0.1:")
            target = lines[2].split()[4]
            # The server answers once its app has started: wait for it.
            with GrpcClient(target, api_key=key, max_retries=10) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        assert client.server_ready()
                        break
                    except aiaas.APIConnectionError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
                text = Tensor("text", "BYTES", [1], ["replace seal on pump 2"])
                result = client.infer("maintenance-ner", [text])
                assert result.output("entities").shape == [1]
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_serve_grpc_port_is_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="one process"):
        run(capsys, "serve", "--grpc-port", "0", "--workers", "2", "--db", "x.db")
