"""The SDK's encryption rules against a scripted server (respx) that really seals."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import respx

import aiaas
from aiaas.envelope import (
    HEADER,
    MEDIA_TYPE,
    SUITES,
    X25519_SUITE,
    EnvelopeHeader,
    open_request,
    public_key_text,
    seal_response,
)
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, CARD, resolve

KEYS_URL = f"{BASE_URL}/v1/encryption/keys"
MODEL_URL = f"{BASE_URL}/v1/models/m"
SERVER_KEY = SUITES[X25519_SUITE].generate()


def key_list(kid: str = "k_1") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": [
                {
                    "kid": kid,
                    "suite": X25519_SUITE,
                    "public_key": public_key_text(SERVER_KEY.public_bytes),
                    "created_at": int(time.time()),
                    "expires_at": int(time.time()) + 3600,
                }
            ],
        },
    )


def sealed_answer(
    request: httpx.Request, body: dict[str, Any], status: int = 200
) -> httpx.Response:
    header = EnvelopeHeader.decode(request.headers[HEADER])
    target = request.url.raw_path.decode()
    sealed = seal_response(
        json.dumps(body).encode(), header, request.method, target, status, "application/json"
    )
    return httpx.Response(
        status,
        content=sealed,
        headers={
            "content-type": MEDIA_TYPE,
            HEADER: "v=1; suite=x25519-sha256-aes256gcm; type=application/json",
        },
    )


@respx.mock
async def test_requests_and_answers_are_sealed(make_client: ClientFactory) -> None:
    respx.get(KEYS_URL).mock(return_value=key_list())
    seen: list[httpx.Request] = []

    def predict(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        header = EnvelopeHeader.decode(request.headers[HEADER])
        plain = open_request(request.content, header, SERVER_KEY, "POST", request.url.path)
        assert json.loads(plain)["inputs"] == [{"secret": 42}]
        return sealed_answer(
            request,
            {
                "id": "pred_1",
                "model": "m",
                "outputs": [{"ok": True}],
                "usage": {"inputs": 1, "compute_ms": 1},
                "created_at": 0,
            },
        )

    respx.post(f"{MODEL_URL}/predict").mock(side_effect=predict)
    client = make_client(encryption="required")
    result = await resolve(client.models.predict("m", inputs=[{"secret": 42}]))
    assert result.outputs == [{"ok": True}]
    assert seen[0].headers["content-type"] == MEDIA_TYPE
    assert b"secret" not in seen[0].content
    assert (
        seen[0].headers["x-request-id"] == EnvelopeHeader.decode(seen[0].headers[HEADER]).request_id
    )


@respx.mock
async def test_a_plaintext_success_to_an_encrypted_request_is_refused(
    make_client: ClientFactory,
) -> None:
    respx.get(KEYS_URL).mock(return_value=key_list())
    respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    for mode in ("auto", "required"):
        with pytest.raises(aiaas.EncryptionError, match="plaintext 200"):
            await resolve(make_client(encryption=mode).models.retrieve("m"))


@respx.mock
async def test_plaintext_errors_pass_through(make_client: ClientFactory) -> None:
    respx.get(KEYS_URL).mock(return_value=key_list())
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(
            400, json={"title": "t", "status": 400, "code": "stale_request"}
        )
    )
    with pytest.raises(aiaas.BadRequestError, match="stale_request"):
        await resolve(make_client(encryption="required").models.retrieve("m"))


@respx.mock
async def test_an_altered_answer_does_not_open(make_client: ClientFactory) -> None:
    respx.get(KEYS_URL).mock(return_value=key_list())

    def altered(request: httpx.Request) -> httpx.Response:
        answer = sealed_answer(request, {**CARD, "description": "secret-recipe"})
        content = bytearray(answer.content)
        content[-1] ^= 1
        return httpx.Response(200, content=bytes(content), headers=answer.headers)

    respx.get(MODEL_URL).mock(side_effect=altered)
    with pytest.raises(aiaas.EncryptionError, match="could not be opened") as caught:
        await resolve(make_client(encryption="required").models.retrieve("m"))
    assert "secret-recipe" not in str(caught.value)


@respx.mock
async def test_a_changed_status_does_not_open(make_client: ClientFactory) -> None:
    respx.get(KEYS_URL).mock(return_value=key_list())

    def restatused(request: httpx.Request) -> httpx.Response:
        answer = sealed_answer(request, CARD)
        return httpx.Response(201, content=answer.content, headers=answer.headers)

    respx.get(MODEL_URL).mock(side_effect=restatused)
    with pytest.raises(aiaas.EncryptionError):
        await resolve(make_client(encryption="auto").models.retrieve("m"))


@respx.mock
async def test_without_server_keys(make_client: ClientFactory) -> None:
    respx.get(KEYS_URL).mock(
        return_value=httpx.Response(404, json={"title": "t", "status": 404, "code": "not_found"})
    )
    api = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    auto = make_client(encryption="auto")
    assert (await resolve(auto.models.retrieve("m"))).id == "m"
    await resolve(auto.models.retrieve("m"))
    assert HEADER.lower() not in api.calls.last.request.headers
    assert respx.calls.call_count == 3  # the key list was asked for once
    with pytest.raises(aiaas.EncryptionError, match="no encryption keys"):
        await resolve(make_client(encryption="required").models.retrieve("m"))


@respx.mock
async def test_an_unknown_key_refreshes_the_keys_once(make_client: ClientFactory) -> None:
    keys = respx.get(KEYS_URL).mock(side_effect=[key_list("k_old"), key_list("k_new")])
    kids: list[str | None] = []

    def predict(request: httpx.Request) -> httpx.Response:
        header = EnvelopeHeader.decode(request.headers[HEADER])
        kids.append(header.kid)
        if header.kid == "k_old":
            return httpx.Response(400, json={"title": "t", "status": 400, "code": "unknown_key"})
        return sealed_answer(
            request,
            {
                "id": "pred_1",
                "model": "m",
                "outputs": [],
                "usage": {"inputs": 1, "compute_ms": 1},
                "created_at": 0,
            },
        )

    respx.post(f"{MODEL_URL}/predict").mock(side_effect=predict)
    client = make_client(encryption="required", max_retries=0)
    await resolve(client.models.predict("m", inputs=[{}]))
    assert kids == ["k_old", "k_new"]
    assert keys.call_count == 2


@respx.mock
async def test_a_second_unknown_key_is_not_chased(make_client: ClientFactory) -> None:
    keys = respx.get(KEYS_URL).mock(return_value=key_list("k_old"))
    api = respx.post(f"{MODEL_URL}/predict").mock(
        return_value=httpx.Response(400, json={"title": "t", "status": 400, "code": "unknown_key"})
    )
    with pytest.raises(aiaas.BadRequestError, match="unknown_key"):
        await resolve(make_client(encryption="required").models.predict("m", inputs=[{}]))
    assert api.call_count == 2
    assert keys.call_count == 2


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="encryption must be"):
        aiaas.Client(api_key="k", encryption="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encryption_suite"):
        aiaas.Client(api_key="k", encryption_suite="rot13")
    with aiaas.Client(api_key="k") as client:
        quiet = client.with_options(encryption="off")
        assert quiet._options.encryption.keys is client._options.encryption.keys
