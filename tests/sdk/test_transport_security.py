"""Plain HTTP only to this machine; TLS settings from a path or a context."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

import aiaas
from aiaas._transport_security import is_loopback, ssl_verify


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "api.localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.5", "192.168.1.1", "localhost.example"])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_plain_http_to_another_host_is_refused() -> None:
    with pytest.raises(aiaas.AIaaSError, match="unencrypted"):
        aiaas.Client(api_key="k", base_url="http://10.1.2.3:8000")
    with aiaas.Client(api_key="k", base_url="http://10.1.2.3:8000", allow_insecure_http=True):
        pass
    with aiaas.Client(api_key="k", base_url="http://localhost:8000"):
        pass


def test_with_options_cannot_slip_into_plain_http() -> None:
    with (
        aiaas.Client(api_key="k", base_url="https://plant.example") as client,
        pytest.raises(aiaas.AIaaSError, match="unencrypted"),
    ):
        client.with_options(base_url="http://plant.example")


def test_a_plain_http_token_url_is_refused() -> None:
    creds = aiaas.ClientCredentials("c", "s", token_url="http://login.example/token")
    with pytest.raises(aiaas.AIaaSError, match="token_url"):
        aiaas.Client(credentials=creds, base_url="https://plant.example")


def test_verify_takes_a_path_or_a_context(tmp_path: Path) -> None:
    context = ssl.create_default_context()
    assert ssl_verify(context) is context
    assert ssl_verify(True) is True
    with pytest.raises(aiaas.AIaaSError, match="CA bundle"):
        ssl_verify(tmp_path / "missing.pem")
    with pytest.raises(aiaas.AIaaSError, match="verify="):
        aiaas.Client(api_key="k", verify=context, http_client=__import__("httpx").Client())
