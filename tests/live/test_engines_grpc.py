"""aiaas.oip's gRPC clients against real engines — MLServer, KServe, Triton — and
the mock, on their gRPC ports (127.0.0.1): health, metadata, inference with
every datatype, errors, and answers equal to the same engine's over REST.

What differs between the engines is asserted where it shows, and recorded in
docs/oip.md.
"""

from __future__ import annotations

import struct

import pytest

import aiaas
from aiaas.oip import AsyncGrpcClient, Client, GrpcClient, Tensor
from aiaas_mock.zoo.examples import example_inputs
from tests.helpers import FAST_RETRIES, TENSOR_VALUES
from tests.live.conftest import ECHO_TYPES, Engine
from tests.live.test_engines import IRIS, needs_iris

pytestmark = pytest.mark.live


def grpc_client(engine: Engine) -> GrpcClient:
    return GrpcClient(
        engine.grpc_target,
        api_key=engine.api_key,
        retry_policy=FAST_RETRIES,
        max_retries=1,
        timeout=30.0,
    )


def test_health_and_metadata_over_grpc(engine: Engine) -> None:
    model = "quality-logreg" if engine.zoo else "iris"
    with grpc_client(engine) as oip, Client(engine.base_url, api_key=engine.api_key) as rest:
        assert oip.server_live()
        assert oip.server_ready()
        assert oip.server_metadata().name
        metadata = oip.model_metadata(model)
        over_rest = rest.model_metadata(model)
        assert metadata.name == model
        assert [(t.name, t.datatype, t.shape) for t in metadata.inputs] == [
            (t.name, t.datatype, t.shape) for t in over_rest.inputs
        ]
        assert [(t.name, t.datatype) for t in metadata.outputs] == [
            (t.name, t.datatype) for t in over_rest.outputs
        ]
        assert oip.model_ready(model)
        assert not oip.model_ready("no-such-model")
        with pytest.raises(aiaas.APIStatusError) as missing:
            oip.model_metadata("no-such-model")
        assert "no-such-model" in str(missing.value)


def test_a_classifier_over_grpc_answers_as_over_rest(engine: Engine) -> None:
    needs_iris(engine)
    rows = Tensor("input-0", "FP64", [2, 4], IRIS)
    with grpc_client(engine) as oip, Client(engine.base_url, api_key=engine.api_key) as rest:
        result = oip.infer("iris", [rows], id="iris-g")
        expected = rest.infer("iris", [rows], id="iris-g")
    predict = result.output("predict")
    assert (predict.datatype, predict.shape) == ("INT64", expected.output("predict").shape)
    assert predict.data == expected.output("predict").data == [0, 2]
    assert result.id in ("iris-g", None)


@pytest.mark.parametrize("datatype", ECHO_TYPES)
def test_every_datatype_round_trips_over_grpc(engine: Engine, datatype: str) -> None:
    needs_iris(engine)
    tensor = Tensor("x", datatype, [3], TENSOR_VALUES[datatype])
    with grpc_client(engine) as oip:
        result = oip.infer(engine.echo_model(datatype), [tensor])
    echoed = result.output(engine.echo_output)
    assert echoed.datatype == datatype
    assert echoed.shape == [3]
    if datatype == "FP32":
        expected = list(struct.unpack("<3f", struct.pack("<3f", *TENSOR_VALUES[datatype])))
        assert echoed.data == expected
    else:
        assert echoed.data == tensor.data


def test_errors_over_grpc_are_typed_and_keep_the_engines_words(engine: Engine) -> None:
    with grpc_client(engine) as oip:
        unknown = Tensor("input-0", "FP64", [1, 4], IRIS[0])
        with pytest.raises(aiaas.APIStatusError) as missing:
            oip.infer("no-such-model", [unknown])
        assert "no-such-model" in str(missing.value)
        assert missing.value.status_code in (400, 404, 500)
        if engine.zoo:
            assert isinstance(missing.value, aiaas.NotFoundError)
            with pytest.raises(aiaas.BadRequestError, match="missing inference input"):
                oip.infer("quality-logreg", [Tensor("torque", "FP64", [1], [40.0])])
            return
        wrong = Tensor("input-0", "FP64", [1, 3], IRIS[0][:3])
        with pytest.raises(aiaas.APIStatusError) as refused:
            oip.infer("iris", [wrong])
        assert refused.value.status_code in (400, 500)
        assert refused.value.response.headers["grpc-status"] in ("2", "3", "13")
        rows = Tensor("input-0", "FP64", [2, 4], IRIS)
        assert oip.infer("iris", [rows]).output("predict").data == [0, 2]


async def test_the_async_grpc_client(engine: Engine) -> None:
    async with AsyncGrpcClient(engine.grpc_target, api_key=engine.api_key) as oip:
        assert await oip.server_ready()
        if engine.zoo:
            text = Tensor("text", "BYTES", [1], [example_inputs()["maintenance-ner"]])
            result = await oip.infer("maintenance-ner", [text])
            assert result.output("entities").shape == [1]
        else:
            result = await oip.infer("iris", [Tensor("input-0", "FP64", [2, 4], IRIS)])
            assert result.output("predict").data == [0, 2]
