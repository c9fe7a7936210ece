"""aiaas.oip's gRPC clients against the mock's /v2 over gRPC, sync and async: for
every zoo model the answer equals /v2's over REST; credentials, scopes, tenancy,
errors and the prediction log are those of REST."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import aiaas
from aiaas.oip import AsyncGrpcClient, Client, GrpcClient, Tensor
from aiaas_mock import MockServer
from aiaas_mock.zoo.examples import example_inputs
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.test_oip_contract import tensors_for
from tests.helpers import resolve, skip_unless_runnable

EXAMPLES = example_inputs()


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(grpc=True) as running:
        yield running


@pytest.fixture(params=["sync", "async"])
async def make(request: pytest.FixtureRequest, server: MockServer) -> AsyncIterator[Any]:
    """A factory of gRPC clients of the server (of one kind), closed afterwards."""
    kind = GrpcClient if request.param == "sync" else AsyncGrpcClient
    made: list[Any] = []

    def client(**options: Any) -> Any:
        options.setdefault("api_key", server.api_key)
        made.append(kind(server.grpc_target, **options))
        return made[-1]

    yield client
    for item in made:
        await resolve(item.close())


def same(left: Tensor, right: Tensor) -> None:
    assert (left.name, left.datatype, left.shape) == (right.name, right.datatype, right.shape)
    if left.datatype.startswith("FP"):
        # One server, one model, the same rows: equal but for summation order.
        assert all(
            math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (a != a and b != b)
            for a, b in zip(left.data, right.data, strict=True)
        )
    else:
        assert left.data == right.data


@pytest.mark.parametrize("model", system_model_ids())
def test_every_model_answers_as_rest_does(server: MockServer, model: str) -> None:
    """Every model once, over the blocking client: the async client shares its
    codec and runs against a model in each of the other tests."""
    skip_unless_runnable(model)
    rows = [EXAMPLES[model], EXAMPLES[model]]
    with (
        Client(server.base_url, api_key=server.api_key) as rest,
        GrpcClient(server.grpc_target, api_key=server.api_key) as grpc,
    ):
        metadata = rest.model_metadata(model)
        assert grpc.model_metadata(model) == metadata
        tensors = tensors_for(metadata, rows)
        expected = rest.infer(model, tensors, id="r-1", encoding="binary")
        assert grpc.model_ready(model)
        result = grpc.infer(model, tensors, id="r-1")
    assert (result.model_name, result.model_version, result.id) == (
        model,
        expected.model_version,
        "r-1",
    )
    assert [t.name for t in result.outputs] == [t.name for t in expected.outputs]
    for ours, theirs in zip(result.outputs, expected.outputs, strict=True):
        same(ours, theirs)
        assert ours.datatype == metadata.output(ours.name).datatype


async def test_health_and_server_metadata(make: Any) -> None:
    client = make(api_key=None)  # health and server metadata need no credentials
    assert await resolve(client.server_live())
    assert await resolve(client.server_ready())
    metadata = await resolve(client.server_metadata())
    assert (metadata.name, metadata.version) == ("aiaas-mock", aiaas.__version__)


RUN = [Tensor("text", "BYTES", [1], ["replace brg on pump 3"])]


async def test_credentials_and_scopes_are_those_of_rest(server: MockServer, make: Any) -> None:
    with pytest.raises(aiaas.AuthenticationError, match="Bearer"):
        await resolve(make(api_key=None).infer("maintenance-ner", RUN))
    with pytest.raises(aiaas.AuthenticationError, match="not valid") as refused:
        await resolve(make(api_key="aiaas_sk_wrong-and-secret").infer("maintenance-ner", RUN))
    assert "wrong-and-secret" not in str(refused.value)
    tenant = server.admin.create_tenant(f"grpc-readers-{uuid.uuid4().hex[:8]}")
    reader = server.admin.issue_key(tenant.id, scopes=["models:read"]).secret.reveal()
    client = make(api_key=reader)
    assert (await resolve(client.model_metadata("maintenance-ner"))).name == "maintenance-ner"
    with pytest.raises(aiaas.PermissionDeniedError, match="'inference' scope"):
        await resolve(client.infer("maintenance-ner", RUN))
    # Readiness is not a refusal: a caller who may not ask hears why.
    with pytest.raises(aiaas.AuthenticationError):
        await resolve(make(api_key=None).model_ready("maintenance-ner"))


async def test_oauth_access_tokens(server: MockServer, make: Any) -> None:
    tenant = server.admin.create_tenant(f"grpc-oauth-{uuid.uuid4().hex[:8]}")
    issued = server.admin.create_client(tenant.id)
    credentials = aiaas.ClientCredentials(
        issued.id, issued.secret.reveal(), token_url=f"{server.base_url}/v1/oauth/token"
    )
    client = make(api_key=None, credentials=credentials)
    for _ in range(2):  # the second call reuses the token
        result = await resolve(client.infer("maintenance-ner", RUN))
        assert result.outputs[0].name == "entities"
    assert server.admin.tokens_issued(issued.id) == 1
    with pytest.raises(ValueError, match="token_url"):
        make(api_key=None, credentials=aiaas.ClientCredentials(issued.id, "s"))


async def test_errors_carry_the_servers_message(server: MockServer, make: Any) -> None:
    client = make()
    with pytest.raises(aiaas.NotFoundError, match="nope"):
        await resolve(client.infer("nope", RUN))
    assert not await resolve(client.model_ready("nope"))
    with pytest.raises(aiaas.NotFoundError, match=r"version '0\.0\.0'"):
        await resolve(client.model_metadata("maintenance-ner", version="0.0.0"))
    with pytest.raises(aiaas.BadRequestError, match="unexpected inference input 'txt'"):
        await resolve(client.infer("maintenance-ner", [Tensor("txt", "BYTES", [1], ["x"])]))
    with pytest.raises(aiaas.BadRequestError, match="text"):
        await resolve(client.infer("maintenance-ner", [Tensor("text", "INT32", [1], [3])]))
    error = None
    try:
        await resolve(client.infer("maintenance-ner", RUN, outputs=["nothing"]))
    except aiaas.APIStatusError as raised:
        error = raised
    assert error is not None
    assert error.status_code == 400
    assert error.response.headers["grpc-status"] == "3"  # INVALID_ARGUMENT


async def test_calls_are_logged_and_tenants_kept_apart(server: MockServer, make: Any) -> None:
    tenant = server.admin.create_tenant(f"grpc-log-{uuid.uuid4().hex[:8]}")
    key = server.admin.issue_key(tenant.id).secret.reveal()
    client = make(api_key=key)
    others = server.admin.prediction_count(server.tenant.id) if server.tenant else 0
    await resolve(client.infer("maintenance-ner", RUN))
    two = [Tensor("text", "BYTES", [2], ["replace brg", "check seal"])]
    await resolve(client.infer("maintenance-ner", two))
    assert server.admin.prediction_count(tenant.id) == 2
    assert server.tenant is not None
    assert server.admin.prediction_count(server.tenant.id) == others


async def test_a_tenant_that_requires_sealed_bodies_is_refused(
    server: MockServer, make: Any
) -> None:
    tenant = server.admin.create_tenant(f"grpc-sealed-{uuid.uuid4().hex[:8]}")
    key = server.admin.issue_key(tenant.id).secret.reveal()
    server.admin.require_encryption(tenant.id)
    with pytest.raises(aiaas.BadRequestError, match="sealed"):
        await resolve(make(api_key=key).infer("maintenance-ner", RUN))


def test_the_body_limit_holds_for_grpc_messages() -> None:
    from aiaas_mock.config import ServerConfig

    with MockServer(ServerConfig(max_body_bytes=64 << 10), grpc=True) as small:
        big = Tensor("text", "BYTES", [1], ["x" * (128 << 10)])
        with GrpcClient(small.grpc_target, api_key=small.api_key, max_retries=0) as client:
            with pytest.raises(aiaas.RateLimitError, match="RESOURCE_EXHAUSTED"):
                client.infer("maintenance-ner", [big])
            assert client.server_ready()
