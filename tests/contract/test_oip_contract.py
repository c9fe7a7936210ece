"""aiaas.oip against the mock's /v2, sync and async, for every zoo model: tensors
built from the model's metadata, in JSON and in binary, answer as /v1 does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

import aiaas
from aiaas.oip import AsyncClient, Client, ModelMetadata, Tensor
from aiaas_mock import MockServer
from aiaas_mock.zoo.examples import example_inputs
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.conftest import LiveTenant
from tests.helpers import FAST_RETRIES, resolve, skip_unless_runnable

EXAMPLES = example_inputs()


@pytest.fixture(params=["sync", "async"])
async def oip(request: pytest.FixtureRequest, live: LiveTenant) -> AsyncIterator[Any]:
    kind = Client if request.param == "sync" else AsyncClient
    client = kind(live.server.base_url, api_key=live.key.secret.reveal(), retry_policy=FAST_RETRIES)
    yield client
    if isinstance(client, AsyncClient):
        await client.close()
    else:
        client.close()


def tensors_for(metadata: ModelMetadata, rows: list[Any]) -> list[Tensor]:
    """The request tensors of ``rows`` as the metadata describes them: one [N] tensor
    per field, JSON texts where the metadata says ``content_type: json``."""
    if not isinstance(rows[0], dict):
        return [Tensor(metadata.inputs[0].name, "BYTES", [len(rows)], rows)]
    tensors = []
    for spec in metadata.inputs:
        if spec.name not in rows[0]:
            continue
        values = [row[spec.name] for row in rows]
        if spec.parameters.get("content_type") == "json":
            values = [json.dumps(value) for value in values]
        tensors.append(Tensor(spec.name, spec.datatype, [len(rows)], values))
    return tensors


@pytest.mark.parametrize("model", system_model_ids())
@pytest.mark.parametrize("encoding", ["json", "binary"])
async def test_every_model_answers_as_v1_does(
    live: LiveTenant, oip: Any, model: str, encoding: str
) -> None:
    skip_unless_runnable(model)
    rows = [EXAMPLES[model], EXAMPLES[model]]
    metadata = await resolve(oip.model_metadata(model))
    assert await resolve(oip.model_ready(model))
    result = await resolve(
        oip.infer(model, tensors_for(metadata, rows), id="c-1", encoding=encoding)
    )
    assert (result.model_name, result.id) == (model, "c-1")
    expected = await resolve(live.client(encryption="off").models.predict(model, inputs=rows))
    for output in metadata.outputs:
        tensor = result.output(output.name)
        assert tensor.shape == [2]
        # The datatype the metadata announces, not just equal values ([3.0] == [3]).
        assert tensor.datatype == output.datatype
        values = [row[output.name] for row in expected.outputs]
        if output.parameters.get("content_type") == "json":
            assert [json.loads(x) for x in tensor.data] == values
        elif output.datatype == "BYTES":
            assert [x.decode() for x in tensor.data] == values
        else:
            assert tensor.data == values


async def test_server_health_metadata_and_typed_errors(live: LiveTenant, oip: Any) -> None:
    assert await resolve(oip.server_live())
    assert await resolve(oip.server_ready())
    assert "binary_tensor_data" in (await resolve(oip.server_metadata())).extensions
    assert not await resolve(oip.model_ready("no-such-model"))
    with pytest.raises(aiaas.NotFoundError, match="No model 'no-such-model'"):
        await resolve(oip.model_metadata("no-such-model"))
    bad = Tensor("torque", "FP64", [1], [1.0])
    with pytest.raises(aiaas.BadRequestError, match="missing inference input"):
        await resolve(oip.infer("quality-logreg", [bad]))


def test_a_client_without_credentials_is_refused_by_the_mock(aiaas_mock: MockServer) -> None:
    with Client(aiaas_mock.base_url) as anonymous:
        assert anonymous.server_live()
        with pytest.raises(aiaas.AuthenticationError):
            anonymous.model_metadata("quality-logreg")
