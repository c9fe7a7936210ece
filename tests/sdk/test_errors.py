"""Errors: classes by status, what they carry, and that secrets never leak."""

from __future__ import annotations

import pickle

import httpx
import pytest
import respx

import aiaas
from aiaas._response import error_class
from tests.conftest import ClientFactory
from tests.helpers import API_KEY, BASE_URL, resolve

MODEL_URL = f"{BASE_URL}/v1/models/m"


def test_error_hierarchy() -> None:
    for cls in (
        aiaas.BadRequestError,
        aiaas.AuthenticationError,
        aiaas.PermissionDeniedError,
        aiaas.NotFoundError,
        aiaas.ConflictError,
        aiaas.UnprocessableEntityError,
        aiaas.RateLimitError,
        aiaas.InternalServerError,
    ):
        assert issubclass(cls, aiaas.APIStatusError)
        assert issubclass(cls, aiaas.APIError)
        assert issubclass(cls, aiaas.AIaaSError)
    # The anchors' shape: every failed call is an APIError, timeouts included.
    assert issubclass(aiaas.APITimeoutError, aiaas.APIConnectionError)
    assert issubclass(aiaas.APIConnectionError, aiaas.APIError)
    assert issubclass(aiaas.APIResponseValidationError, aiaas.APIError)
    assert not issubclass(aiaas.APIResponseValidationError, aiaas.APIStatusError)
    assert not issubclass(aiaas.APIConnectionError, aiaas.APIStatusError)
    assert issubclass(aiaas.EncryptionError, aiaas.AIaaSError)
    assert not issubclass(aiaas.EncryptionError, aiaas.APIError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, aiaas.BadRequestError),
        (418, aiaas.APIStatusError),
        (500, aiaas.InternalServerError),
        (599, aiaas.InternalServerError),
    ],
)
def test_error_class_by_status(status: int, cls: type[aiaas.APIStatusError]) -> None:
    assert error_class(status) is cls


@respx.mock
async def test_error_carries_the_problem(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(
            422,
            headers={"x-request-id": "req_header"},
            json={
                "type": "/problems/validation_error",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "Invalid field body.inputs.0.torque: too big",
                "code": "validation_error",
                "request_id": "req_body",
                "errors": [{"field": "body.inputs.0.torque", "message": "too big"}],
            },
        )
    )
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(make_client().models.retrieve("m"))
    error = caught.value
    assert error.status_code == 422
    assert error.code == "validation_error"
    assert error.request_id == "req_body"
    assert error.body is not None
    assert error.body.errors[0].field == "body.inputs.0.torque"
    assert str(error) == (
        "422 validation_error: Invalid field body.inputs.0.torque: too big (request_id=req_body)"
    )


@respx.mock
async def test_error_without_a_problem_body(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(404, text="<html>gone</html>", headers={"x-request-id": "r1"})
    )
    with pytest.raises(aiaas.NotFoundError) as caught:
        await resolve(make_client().models.retrieve("m"))
    assert caught.value.code is None
    assert caught.value.body is None
    assert caught.value.request_id == "r1"
    assert str(caught.value) == "404 Not Found (request_id=r1)"


@respx.mock
async def test_success_with_an_unreadable_body(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json={"id": 3}))
    with pytest.raises(aiaas.APIResponseValidationError, match="did not match Model"):
        await resolve(make_client().models.retrieve("m"))


@respx.mock
async def test_an_echoed_key_is_redacted_from_error_text(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(
            401,
            json={
                "title": "t",
                "status": 401,
                "code": "invalid_api_key",
                "detail": f"unknown key {API_KEY}",
            },
        )
    )
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(make_client().models.retrieve("m"))
    assert API_KEY not in str(caught.value)
    assert "**********" in str(caught.value)


def test_secrets_never_show() -> None:
    key = aiaas.ApiKey(API_KEY)
    secret = aiaas.Secret(API_KEY)
    client = aiaas.Client(api_key=API_KEY, base_url=BASE_URL)
    try:
        for text in (
            repr(key),
            str(key),
            repr(secret),
            str(secret),
            f"{secret}",
            f"{secret!r}",
            repr(client),
            repr(client._options),
        ):
            assert API_KEY not in text
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(secret)
        with pytest.raises(TypeError):
            pickle.dumps(key)
    finally:
        client.close()
    assert secret == aiaas.Secret(API_KEY)
    assert secret != aiaas.Secret("other")


@respx.mock
async def test_connection_errors_name_the_request_not_the_key(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(aiaas.APIConnectionError) as caught:
        await resolve(make_client(max_retries=0).models.retrieve("m"))
    assert str(caught.value) == (
        f"GET {MODEL_URL} failed: refused. Nothing listens on {BASE_URL}: check "
        "AIAAS_BASE_URL (or base_url=)"
    )
    assert caught.value.request.url == MODEL_URL
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.code is None
    assert caught.value.request_id is None


@respx.mock
async def test_except_api_error_catches_timeouts(make_client: ClientFactory) -> None:
    respx.get(MODEL_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(aiaas.APIError) as caught:
        await resolve(make_client(max_retries=0).models.retrieve("m"))
    assert isinstance(caught.value, aiaas.APITimeoutError)


@respx.mock
async def test_an_unreadable_success_carries_its_response_and_request_id(
    make_client: ClientFactory,
) -> None:
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(200, headers={"x-request-id": "req_odd"}, json={"id": 3})
    )
    with pytest.raises(aiaas.APIResponseValidationError) as caught:
        await resolve(make_client(max_retries=0).models.retrieve("m"))
    assert caught.value.status_code == 200
    assert caught.value.request_id == "req_odd"
    assert caught.value.request is not None
    assert caught.value.request.url == MODEL_URL
