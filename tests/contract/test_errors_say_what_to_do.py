"""Errors a newcomer meets first say what to do: nothing listening, an untrusted
certificate, a mistyped model id, a job's result read before it exists, a busy
port for ``aiaas-mock serve``."""

from __future__ import annotations

import socket

import pytest

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.tools.cli import main


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_nothing_listening_names_the_server_and_how_to_start_one() -> None:
    port = closed_port()
    with (
        aiaas.Client(base_url=f"http://127.0.0.1:{port}", api_key="k", max_retries=0) as client,
        pytest.raises(aiaas.APIConnectionError) as refused,
    ):
        client.models.list().data  # noqa: B018
    message = str(refused.value)
    assert f"Nothing listens on http://127.0.0.1:{port}" in message
    assert f"aiaas-mock serve --port {port}" in message


def test_an_untrusted_certificate_says_pass_verify(aiaas_mock: MockServer) -> None:
    with MockServer(tls=True) as tls:
        client = aiaas.Client(base_url=tls.base_url, api_key=tls.api_key, max_retries=0)
        with client, pytest.raises(aiaas.APIConnectionError, match="pass verify= the CA file"):
            client.models.retrieve("quality-logreg")


def test_a_mistyped_model_id_gets_the_closest(aiaas_mock: MockServer) -> None:
    with (
        aiaas.Client(base_url=aiaas_mock.base_url, api_key=aiaas_mock.api_key) as client,
        pytest.raises(aiaas.NotFoundError, match="Did you mean 'quality-logreg'"),
    ):
        client.models.retrieve("quality-logistic")


def test_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            main(["serve", "--port", str(port)])
    assert str(stopped.value) == (
        f"aiaas-mock: port {port} on 127.0.0.1 is in use: pick another with --port, "
        "or --port 0 for any free one"
    )


def test_help_has_no_markup(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "Run the aiaas mock server" in shown
    assert "``" not in shown


def test_importing_the_mock_without_its_extra_names_the_extra() -> None:
    import subprocess
    import sys

    code = (
        "import importlib.util\n"
        "found = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda n, *a: None if n == 'uvicorn' else found(n, *a)\n"
        "from aiaas_mock import ServerConfig\n"  # plain settings need nothing more
        "try:\n"
        "    from aiaas_mock import MockServer\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == 'the aiaas mock server needs uvicorn: pip install "aiaas[mock]"'
