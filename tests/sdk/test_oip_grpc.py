"""aiaas.oip over gRPC without the mock: messages of every datatype both ways,
typed contents, parameters, connection settings, and what the clients do with a
server's statuses (retries, deadlines, metadata, redaction), against a small
gRPC server of the test's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

import aiaas
from aiaas.oip import DATATYPES, AsyncGrpcClient, GrpcClient, Tensor
from aiaas.oip._grpc_call import Attempts, settings, status_error
from aiaas.oip._grpc_codec import (
    decode_infer_request,
    decode_infer_response,
    encode_infer_request,
    encode_infer_response,
    parameter,
    parameter_value,
)
from aiaas.oip._proto import grpc_predict_v2_pb2 as pb
from aiaas.oip._proto.grpc_predict_v2_pb2_grpc import (
    GRPCInferenceServiceServicer,
    add_GRPCInferenceServiceServicer_to_server,
)
from tests.helpers import TENSOR_VALUES

FAST = aiaas.RetryPolicy(initial_delay=0.001, max_delay=0.002)


@pytest.mark.parametrize("datatype", DATATYPES)
def test_every_datatype_goes_in_raw_contents_both_ways(datatype: str) -> None:
    tensor = Tensor("x", datatype, [3], TENSOR_VALUES[datatype])
    request = encode_infer_request("m", [tensor], outputs=["y"], request_id="r", version="2")
    wire = pb.ModelInferRequest.FromString(request.SerializeToString())
    assert list(wire.raw_input_contents) == [tensor.binary()]
    assert not wire.inputs[0].HasField("contents")
    read = decode_infer_request(wire)
    # Bytes for bytes (BF16's 1e38 is only as near as 8 bits of mantissa come).
    assert [(t.name, t.datatype, t.shape, t.binary()) for t in read.inputs] == [
        ("x", datatype, [3], tensor.binary())
    ]
    assert (read.id, read.outputs) == ("r", ["y"])
    answer = encode_infer_response("m", "2", read.inputs, read)
    result = decode_infer_response(pb.ModelInferResponse.FromString(answer.SerializeToString()))
    assert result.outputs[0].binary() == tensor.binary()
    assert (result.model_name, result.model_version, result.id) == ("m", "2", "r")


@pytest.mark.parametrize(
    ("datatype", "field", "values"),
    [
        ("BOOL", "bool_contents", [True, False]),
        ("INT8", "int_contents", [-128, 127]),
        ("UINT32", "uint_contents", [0, 4294967295]),
        ("INT64", "int64_contents", [-(2**63), 2**63 - 1]),
        ("UINT64", "uint64_contents", [0, 2**64 - 1]),
        ("FP32", "fp32_contents", [0.1, -2.5]),
        ("FP64", "fp64_contents", [0.1, -2.5]),
        ("BYTES", "bytes_contents", [b"a", b"\xff"]),
    ],
)
def test_answers_in_typed_contents_are_read(datatype: str, field: str, values: list[Any]) -> None:
    answer = pb.ModelInferResponse(model_name="m")
    output = answer.outputs.add(name="y", datatype=datatype, shape=[1, 2])
    getattr(output.contents, field).extend(values)
    tensor = decode_infer_response(answer).output("y")
    assert tensor.shape == [1, 2]
    if datatype == "FP32":  # the float32 sent, not protobuf's float64 of it
        assert tensor.to_numpy().dtype.name == "float32"
        assert tensor.data == pytest.approx(values, rel=1e-7)
    else:
        assert tensor.data == values


def test_answers_that_do_not_add_up_are_refused() -> None:
    answer = pb.ModelInferResponse(model_name="m", raw_output_contents=[b"\0" * 4])
    answer.outputs.add(name="y", datatype="FP32", shape=[2])
    with pytest.raises(ValueError, match="output 'y'"):
        decode_infer_response(answer)
    answer.outputs.add(name="z", datatype="FP32", shape=[1])
    with pytest.raises(ValueError, match="1 entries for 2 outputs"):
        decode_infer_response(answer)
    fp16 = pb.ModelInferResponse(model_name="m")
    fp16.outputs.add(name="h", datatype="FP16", shape=[0])
    with pytest.raises(ValueError, match="only in raw"):
        decode_infer_response(fp16)


def test_requests_are_checked_as_rest_requests_are() -> None:
    tensor = Tensor("x", "INT32", [2], [1, 2])
    with pytest.raises(ValueError, match="at least one input"):
        encode_infer_request("m", [])
    with pytest.raises(ValueError, match="must differ"):
        encode_infer_request("m", [tensor, tensor])
    with pytest.raises(ValueError, match="reserved"):
        encode_infer_request("m", [tensor], parameters={"binary_data_output": True})
    bad = pb.ModelInferRequest(model_name="m", raw_input_contents=[b"\0" * 3])
    bad.inputs.add(name="x", datatype="INT32", shape=[1])
    with pytest.raises(ValueError, match="input 'x'"):
        decode_infer_request(bad)
    twice = pb.ModelInferRequest(model_name="m", raw_input_contents=[b"\0" * 4, b"\0" * 4])
    twice.inputs.add(name="x", datatype="INT32", shape=[1])
    twice.inputs.add(name="x", datatype="INT32", shape=[1])
    with pytest.raises(ValueError, match="named twice"):
        decode_infer_request(twice)


@pytest.mark.parametrize("value", [True, -3, 2**63 - 1, 2**64 - 1, 0.25, "text"])
def test_parameters_keep_their_kind(value: Any) -> None:
    again = parameter_value(pb.InferParameter.FromString(parameter(value).SerializeToString()))
    assert again == value
    assert type(again) is type(value)


def test_parameters_past_64_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="64 bits"):
        parameter(2**64)


def _settings(target: str, **options: Any) -> Any:
    defaults: dict[str, Any] = {
        "api_key": None,
        "credentials": None,
        "verify": True,
        "metadata": None,
        "timeout": 10.0,
        "max_retries": 2,
        "deadline": None,
        "retry_policy": None,
        "allow_insecure": False,
        "max_message_bytes": 1 << 20,
    }
    return settings(target, **{**defaults, **options})


def test_targets_choose_tls_and_plain_text_is_kept_to_this_machine() -> None:
    assert not _settings("127.0.0.1:8001").tls
    assert not _settings("localhost:8001").tls
    assert _settings("models.example:443").tls
    assert _settings("grpcs://127.0.0.1:8001").tls
    assert _settings("grpcs://models.example:443").target == "models.example:443"
    with pytest.raises(ValueError, match="allow_insecure"):
        _settings("grpc://models.example:8001")
    assert not _settings("grpc://models.example:8001", allow_insecure=True).tls
    with pytest.raises(ValueError, match="must be host:port"):
        _settings("http://models.example:8001")
    with pytest.raises(ValueError, match="CA bundle"):
        _settings("models.example:443", verify=False)
    with pytest.raises(ValueError, match="either"):
        _settings("127.0.0.1:1", api_key="k", credentials=aiaas.ApiKey("k"))


def test_retries_follow_the_policy_and_stop_at_the_deadline() -> None:
    attempts = Attempts(_settings("127.0.0.1:1", max_retries=2, retry_policy=FAST), clock=0.0)
    unavailable = grpc.StatusCode.UNAVAILABLE
    assert attempts.wait_before_retry(grpc.StatusCode.INVALID_ARGUMENT, None, 0.5) is None
    assert attempts.wait_before_retry(unavailable, None, 0.5) is not None
    assert attempts.wait_before_retry(grpc.StatusCode.RESOURCE_EXHAUSTED, None, 0.5) is not None
    assert attempts.wait_before_retry(unavailable, None, 0.5) is None  # two retries made
    fresh = Attempts(_settings("127.0.0.1:1", retry_policy=FAST), clock=0.0)
    too_large = "Received message larger than max (5 vs. 4)"
    assert fresh.wait_before_retry(grpc.StatusCode.RESOURCE_EXHAUSTED, too_large, 0.5) is None
    bounded = Attempts(_settings("127.0.0.1:1", deadline=1.0, timeout=5.0), clock=0.0)
    assert bounded.timeout(now=0.25) == pytest.approx(0.75)
    assert bounded.wait_before_retry(unavailable, None, 0.0, now=0.9) is None


def test_statuses_become_the_sdks_errors_without_secrets() -> None:
    config = _settings("127.0.0.1:1", api_key="sk-do-not-print")
    error = status_error(config, "ModelInfer", grpc.StatusCode.NOT_FOUND, "no sk-do-not-print")
    assert isinstance(error, aiaas.NotFoundError)
    assert "sk-do-not-print" not in str(error)
    assert error.response.headers["grpc-status"] == "5"
    assert isinstance(
        status_error(config, "ServerLive", grpc.StatusCode.UNAVAILABLE, "refused"),
        aiaas.APIConnectionError,
    )
    assert isinstance(
        status_error(config, "ServerLive", grpc.StatusCode.DEADLINE_EXCEEDED, None),
        aiaas.APITimeoutError,
    )
    assert isinstance(
        status_error(config, "ModelInfer", grpc.StatusCode.INVALID_ARGUMENT, "x"),
        aiaas.BadRequestError,
    )


class Scripted(GRPCInferenceServiceServicer):
    """A server that fails as told, then echoes; it records what it was sent."""

    def __init__(self) -> None:
        self.failures: list[grpc.StatusCode] = []
        self.calls = 0
        self.metadata: list[dict[str, str]] = []
        self.delay = 0.0

    def ServerReady(self, request: Any, context: Any) -> Any:
        return self._answer(context, pb.ServerReadyResponse(ready=False))

    def ModelReady(self, request: Any, context: Any) -> Any:
        return self._answer(context, pb.ModelReadyResponse(ready=True))

    def ModelInfer(self, request: Any, context: Any) -> Any:
        answer = pb.ModelInferResponse(
            model_name=request.model_name,
            id=request.id,
            raw_output_contents=request.raw_input_contents,
        )
        for tensor in request.inputs:
            answer.outputs.add(name=tensor.name, datatype=tensor.datatype, shape=tensor.shape)
        return self._answer(context, answer)

    def _answer(self, context: Any, answer: Any) -> Any:
        self.calls += 1
        self.metadata.append(dict(context.invocation_metadata()))
        time.sleep(self.delay)
        if self.failures:
            context.abort(self.failures.pop(0), "told to fail; key sk-scripted-secret")
        return answer


@pytest.fixture
def scripted() -> Iterator[tuple[Scripted, str]]:
    servicer = Scripted()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    add_GRPCInferenceServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, f"127.0.0.1:{port}"
    server.stop(grace=None)


X = [Tensor("x", "FP32", [2], [1.5, -2.0])]


def test_unavailable_is_tried_again_and_metadata_is_sent(scripted: tuple[Scripted, str]) -> None:
    servicer, target = scripted
    servicer.failures = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED]
    with GrpcClient(
        target, api_key="sk-scripted-secret", metadata={"X-Plant": "7"}, retry_policy=FAST
    ) as client:
        assert client.infer("echo", X, id="a").output("x") == X[0]
        assert servicer.calls == 3
        assert servicer.metadata[-1]["authorization"] == "Bearer sk-scripted-secret"
        assert servicer.metadata[-1]["x-plant"] == "7"
        assert "sk-scripted" not in repr(client)
        servicer.failures = [grpc.StatusCode.INTERNAL]
        with pytest.raises(aiaas.InternalServerError) as failed:
            client.infer("echo", X)
        assert servicer.calls == 4  # a model's failure is not tried again
        assert "sk-scripted-secret" not in str(failed.value)
        assert "told to fail" in str(failed.value)


def test_readiness_is_the_answer_and_unreachable_raises(scripted: tuple[Scripted, str]) -> None:
    servicer, target = scripted
    with GrpcClient(target, max_retries=0) as client:
        assert client.server_ready() is False  # the server said not ready
        servicer.failures = [grpc.StatusCode.NOT_FOUND]
        assert client.model_ready("missing") is False
        servicer.failures = [grpc.StatusCode.UNAUTHENTICATED]
        with pytest.raises(aiaas.AuthenticationError):
            client.model_ready("m")
    with (
        GrpcClient("127.0.0.1:1", max_retries=0, timeout=2) as nowhere,
        pytest.raises(aiaas.APIConnectionError),
    ):
        nowhere.server_ready()


def test_the_timeout_bounds_each_call(scripted: tuple[Scripted, str]) -> None:
    servicer, target = scripted
    servicer.delay = 0.5
    with GrpcClient(target, timeout=0.1, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(aiaas.APITimeoutError):
            client.infer("echo", X)
        assert time.monotonic() - started < 0.45


async def test_the_async_client_does_the_same(scripted: tuple[Scripted, str]) -> None:
    servicer, target = scripted
    servicer.failures = [grpc.StatusCode.UNAVAILABLE]
    async with AsyncGrpcClient(target, api_key="sk-scripted-secret", retry_policy=FAST) as client:
        result = await client.infer("echo", X, id="b")
        assert (result.id, result.output("x")) == ("b", X[0])
        assert servicer.calls == 2
        assert await client.server_ready() is False
        servicer.failures = [grpc.StatusCode.INVALID_ARGUMENT]
        with pytest.raises(aiaas.BadRequestError, match="told to fail"):
            await client.infer("echo", X)
        servicer.delay = 0.5
    async with AsyncGrpcClient(target, timeout=0.1, max_retries=0) as slow:
        with pytest.raises(aiaas.APITimeoutError):
            await slow.model_ready("m")
    threading.Event().wait(0.5)  # let the server's sleeping handler finish


def test_a_missing_grpcio_is_named_in_one_line() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['grpc'] = None\n"
        "import aiaas.oip\n"
        "try:\n    aiaas.oip.GrpcClient\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "aiaas.oip.GrpcClient needs grpcio: pip install 'aiaas[grpc]'"
