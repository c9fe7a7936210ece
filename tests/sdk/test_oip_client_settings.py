"""Where aiaas.oip's clients find their server and key, and what readiness
answers mean."""

from __future__ import annotations

import httpx
import pytest
import respx

import aiaas
from aiaas.oip import Client, GrpcClient
from aiaas.oip._client import from_environment

SDK = {"AIAAS_BASE_URL": "http://127.0.0.1:8000", "AIAAS_API_KEY": "aiaas_sk_service"}


def test_the_oip_variables_come_first_and_the_sdks_key_goes_only_to_the_sdks_server() -> None:
    engine = {"AIAAS_OIP_BASE_URL": "https://kserve.plant"}
    # The service's key never goes to an engine named by the OIP variable.
    assert from_environment(None, None, None, {**SDK, **engine}) == ("https://kserve.plant", None)
    assert from_environment(None, None, None, {**engine, "AIAAS_OIP_API_KEY": "k"}) == (
        "https://kserve.plant",
        "k",
    )
    assert from_environment(None, None, None, SDK) == (
        "http://127.0.0.1:8000",
        "aiaas_sk_service",
    )
    # An explicit OIP key wins over the SDK's, and arguments over both.
    assert from_environment(None, None, None, {**SDK, "AIAAS_OIP_API_KEY": "k"})[1] == "k"
    assert from_environment("http://x", "mine", None, {**SDK, **engine}) == ("http://x", "mine")
    assert from_environment(None, None, aiaas.ApiKey("c"), SDK)[1] is None
    with pytest.raises(ValueError, match="AIAAS_OIP_BASE_URL"):
        from_environment(None, None, None, {})


def test_clients_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SDK.items():
        monkeypatch.setenv(name, value)
    with Client() as client:
        assert str(client.base_url).startswith("http://127.0.0.1:8000")
    monkeypatch.setenv("AIAAS_OIP_GRPC_TARGET", "127.0.0.1:8001")
    monkeypatch.setenv("AIAAS_OIP_API_KEY", "k")
    with GrpcClient() as grpc_client:
        assert repr(grpc_client) == "GrpcClient('grpc://127.0.0.1:8001')"
        assert grpc_client._authorization == "Bearer k"
    monkeypatch.delenv("AIAAS_OIP_GRPC_TARGET")
    with pytest.raises(ValueError, match="AIAAS_OIP_GRPC_TARGET"):
        GrpcClient()


@respx.mock
def test_a_not_ready_answer_is_false_and_an_unreachable_server_raises() -> None:
    respx.get("https://engine.test/v2/health/ready").respond(200, json={"ready": False})
    respx.get("https://engine.test/v2/health/live").respond(200, json={"live": True})
    respx.get("https://engine.test/v2/models/m/ready").respond(200, text="")
    respx.get("https://engine.test/v2/models/gone/ready").respond(404, json={"error": "no"})
    respx.get("https://engine.test/v2/models/secret/ready").respond(403, json={"error": "no"})
    with Client("https://engine.test", max_retries=0) as client:
        assert client.server_ready() is False
        assert client.server_live() is True
        assert client.model_ready("m") is True  # Triton answers 200 with no body
        assert client.model_ready("gone") is False
        with pytest.raises(aiaas.PermissionDeniedError):
            client.model_ready("secret")
    respx.get("https://down.test/v2/health/ready").mock(side_effect=httpx.ConnectError("down"))
    with (
        Client("https://down.test", max_retries=0) as down,
        pytest.raises(aiaas.APIConnectionError),
    ):
        down.server_ready()
