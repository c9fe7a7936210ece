"""Chat completions against the mock's real instruct model: whole and streamed
(sealed end to end by default), held to a JSON schema, tool calls, limits and
errors; and the openai package unchanged. Generated text is never compared
across machines: only validity, and sameness on this machine."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import jsonschema
import openai
import pytest
from pydantic import BaseModel

import aiaas
from aiaas.types.chat import ChatCompletion, ChatCompletionChunk
from aiaas_mock import MockServer, ServerConfig
from aiaas_mock.zoo.examples import PROCESS_RUN
from tests.contract.conftest import LiveTenant
from tests.helpers import CHAT_INSTALLED, collect, resolve

pytestmark = pytest.mark.skipif(not CHAT_INSTALLED, reason="the chat extra is not installed")

MODEL = "smollm2-135m-instruct"
ORDER = "hyd hose leaking on press 4 - replaced hose and topped up oil"
ASK: list[Any] = [{"role": "user", "content": f"Summarise this work order: {ORDER}"}]
FIELDS = {
    "type": "object",
    "properties": {
        "asset": {"type": "string"},
        "symptom": {"type": "string"},
        "parts": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    },
    "required": ["asset", "symptom", "parts"],
    "additionalProperties": False,
}
OPEN_ORDER: Any = {
    "type": "function",
    "function": {
        "name": "open_work_order",
        "description": "Open a maintenance work order",
        "parameters": {
            "type": "object",
            "properties": {
                "asset": {"type": "string"},
                "priority": {"type": "string", "enum": ["low", "high"]},
            },
            "required": ["asset", "priority"],
        },
    },
}


async def chunks_of(stream: Any) -> list[ChatCompletionChunk]:
    if isinstance(stream, aiaas.AsyncStream):
        return [chunk async for chunk in stream]
    return list(stream)


async def test_a_whole_answer_counts_its_tokens_and_repeats_at_temperature_zero(
    live: LiveTenant,
) -> None:
    client = live.client()
    answers = [
        await resolve(
            client.chat.completions.create(
                model=MODEL, messages=ASK, temperature=0, max_completion_tokens=24
            )
        )
        for _ in range(2)
    ]
    first = answers[0]
    assert isinstance(first, ChatCompletion)
    assert first.id.startswith("chatcmpl-")
    assert first.model == MODEL
    assert first.choices[0].message.content
    assert first.choices[0].finish_reason in ("stop", "length")
    assert first.usage is not None
    assert first.usage.completion_tokens <= 24
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    assert answers[1].choices[0].message.content == first.choices[0].message.content


async def test_a_stream_starts_with_the_role_ends_with_the_reason_and_the_usage(
    live: LiveTenant,
) -> None:
    client = live.client()
    stream = await resolve(
        client.chat.completions.create(
            model=MODEL,
            messages=ASK,
            temperature=0,
            max_completion_tokens=20,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    chunks = await chunks_of(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=20
        )
    )
    assert text == whole.choices[0].message.content
    assert chunks[-1].usage == whole.usage


async def test_a_sealed_stream_opens_with_encryption_required(live: LiveTenant) -> None:
    client = live.client(encryption="required")
    stream = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=8, stream=True
        )
    )
    final = await resolve(stream.get_final_completion())
    assert final.choices[0].message.content


async def test_max_tokens_ends_with_length_and_stop_cuts_before_the_sequence(
    live: LiveTenant,
) -> None:
    client = live.client()
    short = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=3
        )
    )
    assert short.choices[0].finish_reason == "length"
    assert short.usage is not None
    assert short.usage.completion_tokens == 3
    free = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=40
        )
    )
    text = free.choices[0].message.content or ""
    stop = next(word for word in text.split()[2:] if len(word) > 3)
    stopped = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=40, stop=[stop]
        )
    )
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].message.content == text[: text.index(stop)]


async def test_every_answer_held_to_a_json_schema_validates(live: LiveTenant) -> None:
    client = live.client()
    for order in (ORDER, "pump 3 bearing noisy, replaced bearing", "conveyor belt torn"):
        answer = await resolve(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": f"Extract the fields: {order}"}],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "fields", "schema": FIELDS, "strict": True},
                },
                temperature=0,
                max_completion_tokens=120,
            )
        )
        if answer.choices[0].finish_reason == "stop":
            jsonschema.validate(json.loads(answer.choices[0].message.content or ""), FIELDS)


class Fields(BaseModel):
    asset: str
    symptom: str


async def test_parse_reads_the_answer_as_a_pydantic_model(live: LiveTenant) -> None:
    parsed = await resolve(
        live.client().chat.completions.parse(
            model=MODEL,
            messages=[{"role": "user", "content": f"Extract asset and symptom: {ORDER}"}],
            response_format=Fields,
            temperature=0,
            max_completion_tokens=80,
        )
    )
    assert isinstance(parsed.choices[0].message.parsed, Fields)


async def test_a_required_tool_call_is_well_formed_and_streams_as_one_delta(
    live: LiveTenant,
) -> None:
    client = live.client()
    messages: list[Any] = [{"role": "user", "content": "Pump 3 leaks badly. Open a work order."}]
    answer = await resolve(
        client.chat.completions.create(
            model=MODEL,
            messages=messages,
            tools=[OPEN_ORDER],
            tool_choice="required",
            temperature=0,
            max_completion_tokens=60,
        )
    )
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls
    call = choice.message.tool_calls[0]
    assert call.function.name == "open_work_order"
    jsonschema.validate(json.loads(call.function.arguments), OPEN_ORDER["function"]["parameters"])
    stream = await resolve(
        client.chat.completions.create(
            model=MODEL,
            messages=messages,
            tools=[OPEN_ORDER],
            tool_choice="required",
            temperature=0,
            max_completion_tokens=60,
            stream=True,
        )
    )
    final = await resolve(stream.get_final_completion())
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.choices[0].message.tool_calls == choice.message.tool_calls[:1] or (
        final.choices[0].message.tool_calls is not None
        and final.choices[0].message.tool_calls[0].function == call.function
    )
    # The conversation goes on with the tool's result.
    follow_up = await resolve(
        client.chat.completions.create(
            model=MODEL,
            messages=[
                *messages,
                {"role": "assistant", "tool_calls": [call.model_dump()]},
                {"role": "tool", "tool_call_id": call.id, "content": "WO-1183 opened"},
            ],
            temperature=0,
            max_completion_tokens=20,
        )
    )
    assert follow_up.choices[0].message.content


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"model": "no-such-model"}, 404, "not_found"),
        ({"model": "quality-logreg"}, 422, "validation_error"),
        ({"messages": []}, 422, "validation_error"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, 422, "validation_error"),
        (
            {"messages": [{"role": "tool", "tool_call_id": "call_x", "content": "done"}]},
            400,
            "invalid_request",
        ),
        ({"max_completion_tokens": 100_000}, 400, "max_tokens_too_large"),
        (
            {"messages": [{"role": "user", "content": "pump bearing seal " * 1500}]},
            400,
            "context_length_exceeded",
        ),
        ({"messages": [{"role": "user", "content": "pump " * 20_000}]}, 413, "call_too_expensive"),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "nonsense"}},
                }
            },
            400,
            "invalid_json_schema",
        ),
        (
            {
                "tool_choice": {"type": "function", "function": {"name": "nope"}},
                "tools": [OPEN_ORDER],
            },
            400,
            "invalid_request",
        ),
    ],
)
def test_bad_requests_are_problems_that_say_what_is_wrong(
    aiaas_mock: MockServer, body: dict[str, Any], status: int, code: str
) -> None:
    request = {"model": MODEL, "messages": ASK, **body}
    with httpx.Client(base_url=aiaas_mock.base_url) as http:
        answer = http.post(
            "/v1/chat/completions",
            json=request,
            headers={"Authorization": f"Bearer {aiaas_mock.api_key}"},
        )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == code
    if code == "context_length_exceeded":
        assert problem["context_window"] == 4096
        assert problem["prompt_tokens"] > 4096
    if code == "max_tokens_too_large":
        assert problem["limit"] == 1024


def test_limits_are_announced(aiaas_mock: MockServer) -> None:
    with httpx.Client(base_url=aiaas_mock.base_url) as http:
        limits = http.get(
            "/v1/limits", headers={"Authorization": f"Bearer {aiaas_mock.api_key}"}
        ).json()
    assert limits["chat_context_tokens"] == 4096
    assert limits["chat_max_completion_tokens"] == 1024


def test_a_keyed_stream_is_refused_and_a_keyed_answer_replays(aiaas_mock: MockServer) -> None:
    headers = {"Authorization": f"Bearer {aiaas_mock.api_key}", "Idempotency-Key": "chat-k1"}
    body = {"model": MODEL, "messages": ASK, "max_completion_tokens": 5, "temperature": 0}
    with httpx.Client(base_url=aiaas_mock.base_url) as http:
        refused = http.post("/v1/chat/completions", json={**body, "stream": True}, headers=headers)
        first = http.post("/v1/chat/completions", json=body, headers=headers)
        again = http.post("/v1/chat/completions", json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["code"] == "idempotency_unsupported"
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_a_key_without_the_inference_scope_is_refused(aiaas_mock: MockServer) -> None:
    admin = aiaas_mock.admin
    tenant = admin.create_tenant("chat-readers")
    reader = admin.issue_key(tenant.id, scopes=["models:read"]).secret.reveal()
    with aiaas.Client(api_key=reader, base_url=aiaas_mock.base_url) as client:
        with pytest.raises(aiaas.PermissionDeniedError):
            client.chat.completions.create(model=MODEL, messages=ASK)
        assert MODEL in [m.id for m in client.models.list()]


def test_a_client_that_leaves_mid_stream_frees_the_model_within_a_second(
    aiaas_mock: MockServer,
) -> None:
    with aiaas.Client(api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url) as client:
        long = client.chat.completions.create(
            model=MODEL,
            messages=ASK,
            max_completion_tokens=1000,
            stream=True,
            extra_body={"stop": None},
            temperature=1.0,
            seed=3,
        )
        next(long)
        next(long)
        long.close()
        left = time.monotonic()
        # Every context free again: four streams at once start at once.
        streams = [
            client.chat.completions.create(
                model=MODEL, messages=ASK, max_completion_tokens=2, stream=True, temperature=0
            )
            for _ in range(4)
        ]
        for stream in streams:
            next(stream)
        assert time.monotonic() - left < 1.0 + 0.5  # generous: four first tokens too
        for stream in streams:
            stream.close()


def test_the_openai_package_chats_and_streams_unchanged(aiaas_mock: MockServer) -> None:
    tenant = aiaas_mock.admin.create_tenant("openai-chat")
    key = aiaas_mock.admin.issue_key(tenant.id).secret.reveal()
    with openai.OpenAI(api_key=key, base_url=f"{aiaas_mock.base_url}/v1") as client:
        whole = client.chat.completions.create(
            model=MODEL, messages=ASK, temperature=0, max_completion_tokens=12
        )
        stream = client.chat.completions.create(
            model=MODEL,
            messages=ASK,
            temperature=0,
            max_completion_tokens=12,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == whole.choices[0].message.content
        assert chunks[-1].usage is not None
        assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens  # type: ignore[union-attr]
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="no-such-model", messages=ASK)


async def test_the_chat_model_is_listed_with_measured_metrics(live: LiveTenant) -> None:
    cards = {m.id: m for m in await collect(live.client().models.list())}
    card = cards[MODEL]
    assert card.task == "chat-completion"
    assert 0 < card.metrics["maintie_entity_text_recall"] <= 1
    assert card.metrics["json_schema_valid_rate"] > 0.8


def test_the_chat_models_predict_always_takes_a_turn_on_the_slots() -> None:
    config = ServerConfig(max_concurrent_inference=1, inference_queue_timeout=0.2)
    with (
        MockServer(config) as server,
        aiaas.Client(api_key=server.api_key, base_url=server.base_url, max_retries=0) as client,
    ):
        with server.services.inference.turn():  # every slot taken
            with pytest.raises(aiaas.InternalServerError) as busy:
                client.models.predict(MODEL, inputs=["pump 3 leaks"])
            assert busy.value.code == "inference_busy"
            # A light call of another model does not wait for a slot.
            client.models.predict("quality-logreg", inputs=[PROCESS_RUN])
        reply = client.models.predict(MODEL, inputs=["pump 3 leaks"], parameters={"max_tokens": 4})
        assert reply.outputs[0]["completion_tokens"] <= 4


def test_clients_that_hang_up_at_once_leave_every_context_free(aiaas_mock: MockServer) -> None:
    host, port = aiaas_mock.base_url.removeprefix("http://").split(":")
    body = json.dumps(
        {"model": MODEL, "messages": ASK, "max_completion_tokens": 200, "stream": True}
    ).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {aiaas_mock.api_key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    for _ in range(8):
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(request)
    time.sleep(1.5)  # the server notices within a turn
    with aiaas.Client(api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url) as client:
        streams = [
            client.chat.completions.create(
                model=MODEL,
                messages=ASK,
                max_completion_tokens=2,
                stream=True,
                timeout=5,
            )
            for _ in range(4)
        ]
        for stream in streams:
            assert stream.get_final_completion().choices[0].finish_reason == "length"


def test_a_request_is_sized_while_every_context_generates(aiaas_mock: MockServer) -> None:
    with aiaas.Client(api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url) as client:
        busy = [
            client.chat.completions.create(
                model=MODEL, messages=ASK, max_completion_tokens=400, stream=True, seed=n
            )
            for n in range(4)
        ]
        for stream in busy:
            next(stream)
        started = time.monotonic()
        with pytest.raises(aiaas.BadRequestError) as too_long:
            client.with_options(max_retries=0).chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "pump bearing seal " * 1500}]
            )
        assert too_long.value.code == "context_length_exceeded"
        assert time.monotonic() - started < 2.0  # counted without waiting for a context
        for stream in busy:
            stream.close()


async def test_logprobs_of_each_token_and_its_alternatives(live: LiveTenant) -> None:
    answer = await resolve(
        live.client().chat.completions.create(
            model=MODEL,
            messages=ASK,
            temperature=0,
            max_completion_tokens=8,
            logprobs=True,
            top_logprobs=3,
        )
    )
    choice = answer.choices[0]
    assert choice.logprobs is not None
    tokens = choice.logprobs.content
    assert tokens is not None
    assert len(tokens) == 8
    assert "".join(t.token for t in tokens) == choice.message.content
    for token in tokens:
        assert token.logprob <= 0
        assert len(token.top_logprobs) == 3
        # Greedy: the chosen token is the most likely one.
        assert token.logprob == pytest.approx(token.top_logprobs[0].logprob)
