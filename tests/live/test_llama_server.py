"""The SDK's chat against llama.cpp's own OpenAI-compatible server
(``python -m llama_cpp.server``, installed by .ci/install-engines into
``.engines/llama``) serving the same GGUF as the mock: whole and streamed
answers, a JSON schema, a tool call. The differences seen are in docs/chat.md."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

import aiaas
from aiaas_mock.zoo.chat_llm.runtime import gguf_path
from tests.live.conftest import ENGINES, START_TIMEOUT, free_port

pytestmark = pytest.mark.live

ASK: list[Any] = [{"role": "user", "content": "Summarise: pump 3 bearing noisy, replaced bearing"}]
SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"asset": {"type": "string"}, "action": {"type": "string"}},
    "required": ["asset", "action"],
}


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = ENGINES / "llama" / "bin" / "python"
    if not python.exists():
        pytest.skip(f"llama.cpp's server is not installed in {ENGINES / 'llama'}")
    port = free_port()
    log_path = Path(tmp_path_factory.mktemp("llama")) / "llama.log"
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(python),
                "-m",
                "llama_cpp.server",
                "--model",
                str(gguf_path()),
                "--model_alias",
                "smollm2",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                str(max(1, (os.cpu_count() or 2) - 1)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise RuntimeError(log_path.read_text(errors="replace")[-3000:])
                try:
                    if httpx.get(f"{base_url}/v1/models", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("llama.cpp's server did not start")
                time.sleep(0.3)
            yield base_url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@pytest.fixture
def client(llama_server: str) -> Iterator[aiaas.Client]:
    # A plain OpenAI-compatible server: no keys to seal to, any bearer token.
    with aiaas.Client(
        api_key="sk-no-key", base_url=llama_server, encryption="off", max_retries=0
    ) as sdk:
        yield sdk


def test_whole_and_streamed_answers_agree(client: aiaas.Client) -> None:
    whole = client.chat.completions.create(
        model="smollm2", messages=ASK, temperature=0, max_tokens=24
    )
    assert whole.choices[0].message.content
    assert whole.usage is not None
    assert whole.usage.completion_tokens <= 24
    with client.chat.completions.create(
        model="smollm2", messages=ASK, temperature=0, max_tokens=24, stream=True
    ) as stream:
        chunks = list(stream)
        final = stream.get_final_completion()
    assert chunks[0].choices[0].delta.role == "assistant"
    assert final.choices[0].message.content == whole.choices[0].message.content
    assert final.choices[0].finish_reason in ("stop", "length")


async def test_async_stream(llama_server: str) -> None:
    async with aiaas.AsyncClient(
        api_key="sk-no-key", base_url=llama_server, encryption="off"
    ) as client:
        stream = await client.chat.completions.create(
            model="smollm2", messages=ASK, temperature=0, max_tokens=12, stream=True
        )
        final = await stream.get_final_completion()
    assert final.choices[0].message.content


def test_an_answer_held_to_a_json_schema(client: aiaas.Client) -> None:
    # llama-cpp-python's server takes the schema in its own form ("json_object"
    # with "schema") and fails OpenAI's "json_schema" with a 500 (docs/chat.md).
    with pytest.raises(aiaas.InternalServerError):
        client.chat.completions.create(
            model="smollm2",
            messages=ASK,
            max_tokens=8,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "fields", "schema": SCHEMA},
            },
        )
    answer = client.chat.completions.create(
        model="smollm2",
        messages=ASK,
        temperature=0,
        max_tokens=80,
        extra_body={"response_format": {"type": "json_object", "schema": SCHEMA}},
    )
    if answer.choices[0].finish_reason == "stop":
        jsonschema.validate(json.loads(answer.choices[0].message.content or ""), SCHEMA)


def test_an_unknown_route_is_a_typed_error(client: aiaas.Client) -> None:
    with pytest.raises(aiaas.NotFoundError):
        client.models.retrieve("smollm2")


def test_a_named_tool_call_and_no_usage_chunk(client: aiaas.Client) -> None:
    tool: Any = {
        "type": "function",
        "function": {
            "name": "open_work_order",
            "parameters": {
                "type": "object",
                "properties": {"asset": {"type": "string"}},
                "required": ["asset"],
            },
        },
    }
    answer = client.chat.completions.create(
        model="smollm2",
        messages=[{"role": "user", "content": "Pump 3 leaks. Open a work order."}],
        tools=[tool],
        tool_choice={"type": "function", "function": {"name": "open_work_order"}},
        max_tokens=60,
        temperature=0,
    )
    assert answer.choices[0].finish_reason == "tool_calls"
    calls = answer.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.name == "open_work_order"
    assert "asset" in json.loads(calls[0].function.arguments)
    # Fields the SDK does not know (the old "function_call") are kept.
    assert answer.choices[0].message.model_extra is not None
    # This server sends no usage chunk, even when asked: the final completion has none.
    with client.chat.completions.create(
        model="smollm2",
        messages=ASK,
        max_tokens=4,
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        final = stream.get_final_completion()
    assert final.usage is None
    assert final.choices[0].finish_reason == "length"
