"""aiaas.oip against real engines — MLServer, KServe, Triton — and the mock's /v2:
health, metadata, inference with every datatype in JSON and binary, and errors.

Marked ``live``: `.ci/run` installs the engines (`.ci/install-engines`) and runs
``pytest -m live``; elsewhere these tests skip, saying what to install.
"""

from __future__ import annotations

import json
import math
import struct

import pytest

import aiaas
from aiaas.oip import AsyncClient, Client, Tensor
from aiaas_mock.zoo.examples import example_inputs
from tests.helpers import FAST_RETRIES, TENSOR_VALUES
from tests.live.conftest import ECHO_TYPES, Engine

pytestmark = pytest.mark.live

IRIS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]  # a setosa (0) and a virginica (2)


def client(engine: Engine) -> Client:
    return Client(
        engine.base_url,
        api_key=engine.api_key,
        retry_policy=FAST_RETRIES,
        max_retries=1,
        timeout=30.0,
    )


def needs_iris(engine: Engine) -> None:
    if engine.zoo:
        pytest.skip("the mock serves the zoo, not iris and echo models")


def test_health_and_metadata(engine: Engine) -> None:
    with client(engine) as oip:
        assert oip.server_live()
        assert oip.server_ready()
        assert oip.server_metadata().name
        model = "quality-logreg" if engine.zoo else "iris"
        metadata = oip.model_metadata(model)
        assert metadata.name == model
        assert oip.model_ready(model)
        assert not oip.model_ready("no-such-model")
        with pytest.raises(aiaas.NotFoundError):
            oip.model_metadata("no-such-model")


@pytest.mark.parametrize("encoding", ["json", "binary"])
def test_a_classifier(engine: Engine, encoding: str) -> None:
    needs_iris(engine)
    if encoding == "binary" and not engine.binary_inputs:
        pytest.skip(f"{engine.name} takes no binary inputs")
    with client(engine) as oip:
        rows = Tensor("input-0", "FP64", [2, 4], IRIS)
        result = oip.infer("iris", [rows], id="iris-1", encoding=encoding)  # type: ignore[arg-type]
    predict = result.output("predict")
    assert predict.datatype == "INT64"
    assert predict.shape in ([2], [2, 1])
    assert predict.data == [0, 2]
    assert result.id in ("iris-1", None)  # Triton omits the id of a request


@pytest.mark.parametrize("datatype", ECHO_TYPES)
@pytest.mark.parametrize("encoding", ["json", "binary"])
def test_every_datatype_round_trips(engine: Engine, datatype: str, encoding: str) -> None:
    needs_iris(engine)
    if encoding == "binary" and not engine.binary_inputs:
        pytest.skip(f"{engine.name} takes no binary inputs")
    if encoding == "json" and datatype == "FP16" and not engine.json_fp16:
        pytest.skip(f"{engine.name} refuses FP16 in JSON")
    tensor = Tensor("x", datatype, [3], TENSOR_VALUES[datatype])
    with client(engine) as oip:
        result = oip.infer(engine.echo_model(datatype), [tensor], encoding=encoding)  # type: ignore[arg-type]
    echoed = result.output(engine.echo_output)
    assert echoed.datatype == datatype
    if datatype == "FP32":
        expected = list(struct.unpack("<3f", struct.pack("<3f", *TENSOR_VALUES[datatype])))
        assert echoed.data == expected
    else:
        assert echoed.data == tensor.data


def test_auto_sends_nan_in_binary(engine: Engine) -> None:
    needs_iris(engine)
    if not engine.binary_inputs:
        pytest.skip(f"{engine.name} takes no binary inputs")
    with client(engine) as oip:
        result = oip.infer(engine.echo_model("FP64"), [Tensor("x", "FP64", [2], [math.nan, 1.0])])
    first, second = result.output(engine.echo_output).data
    assert math.isnan(first)
    assert second == 1.0


def test_errors_are_typed_and_keep_the_engines_words(engine: Engine) -> None:
    with client(engine) as oip:
        unknown = Tensor("input-0", "FP64", [1, 4], IRIS[0])
        with pytest.raises(aiaas.NotFoundError) as missing:
            oip.infer("no-such-model", [unknown])
        assert "no-such-model" in str(missing.value)
        if engine.zoo:
            with pytest.raises(aiaas.BadRequestError, match="missing inference input"):
                oip.infer("quality-logreg", [Tensor("torque", "FP64", [1], [40.0])])
            return
        wrong = Tensor("input-0", "FP64", [1, 3], IRIS[0][:3])
        with pytest.raises(aiaas.APIStatusError) as refused:
            oip.infer("iris", [wrong])
        assert refused.value.status_code in (400, 422, 500)
        assert str(refused.value).split(" ", 1)[1].strip()
        # MLServer drops the keep-alive connection after its 500: the next call on
        # the pooled connection is reset, and the client sends it again.
        rows = Tensor("input-0", "FP64", [2, 4], IRIS)
        assert oip.infer("iris", [rows]).output("predict").data == [0, 2]
        with pytest.raises(ValueError, match="do not fill shape"):
            Tensor("input-0", "FP64", [2, 4], IRIS[0])


def test_versions_where_the_engine_has_them(engine: Engine) -> None:
    with client(engine) as oip:
        model = "quality-logreg" if engine.zoo else "iris"
        version = (oip.model_metadata(model).versions or ["v1"])[0]
        if not engine.versioned_routes:
            with pytest.raises(aiaas.APIStatusError) as unsupported:
                oip.model_metadata(model, version=version)
            assert unsupported.value.status_code == 501
            return
        assert oip.model_metadata(model, version=version).name == model


def test_the_repository_index_where_the_engine_has_it(engine: Engine) -> None:
    with client(engine) as oip:
        if engine.repository_index:
            names = {entry.name for entry in oip.repository_index()}
            assert {"iris", "echo"} <= names
        else:
            with pytest.raises(aiaas.APIStatusError):
                oip.repository_index()


async def test_the_async_client(engine: Engine) -> None:
    async with AsyncClient(engine.base_url, api_key=engine.api_key) as oip:
        assert await oip.server_ready()
        if engine.zoo:
            text = Tensor("text", "BYTES", [1], [example_inputs()["maintenance-ner"]])
            result = await oip.infer("maintenance-ner", [text])
            assert json.loads(result.output("entities").data[0])
        else:
            result = await oip.infer("iris", [Tensor("input-0", "FP64", [2, 4], IRIS)])
            assert result.output("predict").data == [0, 2]
