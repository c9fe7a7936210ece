"""Streamed answers: reading events into typed chunks, errors in the stream,
retries only before the answer starts, the connection always released, and
sealed streams that refuse to lose frames. Sync, asyncio and trio."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import trio

import aiaas
from aiaas._chat_stream import ChatCompletionAccumulator
from aiaas.envelope import SUITES, X25519_SUITE, EnvelopeHeader, StreamOpener, StreamSealer
from aiaas.types.chat import ChatCompletionChunk
from tests.helpers import FAST_RETRIES

BASE = "http://127.0.0.1:9"
MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]


def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def sse(*payloads: Any, done: bool = True) -> bytes:
    out = b"".join(b"data: " + json.dumps(p).encode() + b"\n\n" for p in payloads)
    return out + (b"data: [DONE]\n\n" if done else b"")


class Server:
    """A transport answering each request with the next of ``answers``; records
    what was asked and which answers were closed."""

    def __init__(self, *answers: Callable[[], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.closed: list[bool] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)()


class TrackedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, parts: list[bytes], fail_after: int | None = None) -> None:
        self.parts = parts
        self.fail_after = fail_after
        self.closed = False

    def _parts(self) -> Iterator[bytes]:
        for i, part in enumerate(self.parts):
            if self.fail_after is not None and i >= self.fail_after:
                raise httpx.RemoteProtocolError("peer closed connection")
            yield part

    def __iter__(self) -> Iterator[bytes]:
        yield from self._parts()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts():
            yield part

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def streamed(stream: TrackedStream, **headers: str) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(
        200, headers={"content-type": "text/event-stream", **headers}, stream=stream
    )


def client(server: Server) -> aiaas.Client:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return aiaas.Client(
        api_key="aiaas_sk_test",
        base_url=BASE,
        encryption="off",
        retry_policy=FAST_RETRIES,
        http_client=http,
    )


def async_client(server: Server) -> aiaas.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return aiaas.AsyncClient(
        api_key="aiaas_sk_test",
        base_url=BASE,
        encryption="off",
        retry_policy=FAST_RETRIES,
        http_client=http,
    )


def test_chunks_arrive_typed_and_add_up_to_the_final_completion() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    body = TrackedStream(
        [
            sse(
                chunk("Hel"),
                chunk("lo", extra_field="kept"),
                chunk(finish="stop"),
                {**chunk(), "choices": [], "usage": usage},
            )
        ]
    )
    server = Server(streamed(body))
    with client(server) as c:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        chunks = list(stream)
        final = stream.get_final_completion()
    assert [ch.choices[0].delta.content for ch in chunks[:2]] == ["Hel", "lo"]
    assert chunks[1].model_extra == {"extra_field": "kept"}
    assert final.choices[0].message.content == "Hello"
    assert final.choices[0].finish_reason == "stop"
    assert final.usage is not None
    assert final.usage.total_tokens == 5
    assert body.closed
    request = server.requests[0]
    assert request.headers["accept"] == "text/event-stream"
    assert "idempotency-key" not in request.headers  # a stream is never replayed
    assert json.loads(request.content)["stream"] is True


@pytest.mark.parametrize("usage_choices", [None, [], "absent"])
def test_usage_chunks_with_empty_null_or_absent_choices(usage_choices: Any) -> None:
    usage_chunk: dict[str, Any] = {
        **chunk(),
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    if usage_choices == "absent":
        del usage_chunk["choices"]
    else:
        usage_chunk["choices"] = usage_choices
    server = Server(streamed(TrackedStream([sse(chunk("a"), usage_chunk)])))
    with client(server) as c:
        chunks = list(c.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None


def test_a_stream_that_ends_without_done_ends_cleanly() -> None:
    server = Server(streamed(TrackedStream([sse(chunk("a"), chunk(finish="stop"), done=False)])))
    with client(server) as c:
        assert len(list(c.chat.completions.create(model="m", messages=MESSAGES, stream=True))) == 2


def test_nothing_after_done_is_read_as_an_item() -> None:
    server = Server(streamed(TrackedStream([sse(chunk("a")) + b"data: not json\n\n"])))
    with client(server) as c:
        assert len(list(c.chat.completions.create(model="m", messages=MESSAGES, stream=True))) == 1


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (
            b'event: error\ndata: {"error": {"status": 503, "code": "inference_busy", '
            b'"title": "busy", "detail": "try later"}}\n\n',
            aiaas.InternalServerError,
        ),
        (
            b'data: {"error": {"message": "bad", "type": "invalid", "code": 400}}\n\n',
            aiaas.BadRequestError,
        ),
        (b'data: {"error": "context overflow"}\n\n', aiaas.InternalServerError),
    ],
)
def test_an_error_in_the_stream_is_raised_as_its_typed_error(
    event: bytes, error: type[Exception]
) -> None:
    body = TrackedStream([sse(chunk("a"), done=False), event])
    server = Server(streamed(body))
    with client(server) as c:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        assert next(stream).choices[0].delta.content == "a"
        with pytest.raises(error) as raised:
            next(stream)
    assert "in the stream" in str(raised.value)
    assert body.closed


def test_retried_before_the_answer_starts_never_after() -> None:
    busy = {"title": "busy", "status": 503, "code": "inference_busy"}
    broken = TrackedStream([sse(chunk("a"), done=False), b""], fail_after=1)
    server = Server(
        lambda: httpx.Response(503, json=busy, headers={"Retry-After": "0"}),
        streamed(broken),
    )
    with client(server) as c:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        assert next(stream).choices[0].delta.content == "a"
        with pytest.raises(aiaas.APIConnectionError):
            next(stream)
    assert len(server.requests) == 2  # one retry of the 503, none of the broken stream
    assert broken.closed


def test_a_body_that_breaks_before_its_first_byte_is_retried() -> None:
    broken = TrackedStream([sse(chunk("never"))], fail_after=0)
    whole = TrackedStream([sse(chunk("a"), chunk(finish="stop"))])
    server = Server(streamed(broken), streamed(whole))
    with client(server) as c:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        assert stream.get_final_completion().choices[0].message.content == "a"
    assert len(server.requests) == 2
    assert broken.closed


async def test_async_a_body_that_breaks_before_its_first_byte_is_retried() -> None:
    broken = TrackedStream([sse(chunk("never"))], fail_after=0)
    whole = TrackedStream([sse(chunk("a"), chunk(finish="stop"))])
    server = Server(streamed(broken), streamed(whole))
    async with async_client(server) as c:
        stream = await c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        final = await stream.get_final_completion()
    assert final.choices[0].message.content == "a"
    assert len(server.requests) == 2


def test_an_error_status_is_raised_with_its_problem_before_any_chunk() -> None:
    problem = {"title": "t", "status": 400, "code": "context_length_exceeded", "detail": "long"}
    server = Server(lambda: httpx.Response(400, json=problem))
    with client(server) as c, pytest.raises(aiaas.BadRequestError) as raised:
        c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    assert raised.value.code == "context_length_exceeded"


def test_break_close_and_garbage_each_release_the_connection() -> None:
    bodies = [TrackedStream([sse(chunk("a")), sse(chunk("b"))]) for _ in range(3)]
    server = Server(*(streamed(body) for body in bodies))
    with client(server) as c:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        for _ in stream:
            break
        stream.close()
        assert bodies[0].closed
        with c.chat.completions.create(model="m", messages=MESSAGES, stream=True) as stream:
            next(stream)
        assert bodies[1].closed
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        next(stream)
        del stream
        assert bodies[2].closed


async def _async_stream_case(break_early: bool) -> tuple[list[str | None], bool, bool]:
    full = TrackedStream([sse(chunk("x"), chunk("y"), chunk(finish="stop"))])
    early = TrackedStream([sse(chunk("x"), chunk("y"))])
    server = Server(streamed(full), streamed(early))
    async with async_client(server) as c:
        stream = await c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        contents = [ch.choices[0].delta.content async for ch in stream]
        final = await stream.get_final_completion()
        assert final.choices[0].message.content == "xy"
        async with await c.chat.completions.create(
            model="m", messages=MESSAGES, stream=True
        ) as second:
            async for _ in second:
                if break_early:
                    break
    return contents, full.closed, early.closed


async def test_async_stream_under_asyncio() -> None:
    contents, full_closed, early_closed = await _async_stream_case(break_early=True)
    assert contents == ["x", "y", None]
    assert full_closed
    assert early_closed


def test_async_stream_under_trio() -> None:
    # Read to the end: httpx's nested body generators, left unfinished by an early
    # close, are finalised by the garbage collector, which trio warns of.
    contents, full_closed, early_closed = trio.run(_async_stream_case, False)
    assert contents == ["x", "y", None]
    assert full_closed
    assert early_closed


def test_the_accumulator_assembles_tool_calls_by_index() -> None:
    accumulator = ChatCompletionAccumulator()
    deltas = [
        {"role": "assistant"},
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "open_", "arguments": '{"as'},
                }
            ]
        },
        {"tool_calls": [{"index": 0, "function": {"name": "order", "arguments": 'set": "P3"}'}}]},
        {
            "tool_calls": [
                {"index": 1, "id": "call_2", "function": {"name": "page", "arguments": "{}"}}
            ]
        },
    ]
    for delta in deltas:
        accumulator.add(
            ChatCompletionChunk.model_validate(
                {**chunk(), "choices": [{"index": 0, "delta": delta}]}
            )
        )
    accumulator.add(ChatCompletionChunk.model_validate(chunk(finish="tool_calls")))
    message = accumulator.completion().choices[0].message
    assert message.content is None
    assert message.tool_calls is not None
    assert [
        (t.id, t.function.name, json.loads(t.function.arguments)) for t in message.tool_calls
    ] == [
        ("call_1", "open_order", {"asset": "P3"}),
        ("call_2", "page", {}),
    ]


# -- sealed streams ---------------------------------------------------------------


def _sealed_pair() -> tuple[StreamSealer, Callable[[bytes], StreamOpener]]:
    spec = SUITES[X25519_SUITE]
    response_key = spec.generate()
    header = EnvelopeHeader(X25519_SUITE, 0, "req_1", response_key.public_bytes, "k1")
    sealer = StreamSealer(header, "POST", "/v1/chat/completions", 200)

    def opener(opening: bytes) -> StreamOpener:
        return StreamOpener(opening, header, response_key, "POST", "/v1/chat/completions", 200)

    return sealer, opener


def test_sealed_frames_open_only_in_order_and_once() -> None:
    sealer, open_stream = _sealed_pair()
    frames = [sealer.seal(b"one"), sealer.seal(b"two"), sealer.seal(b"three", last=True)]
    opener = open_stream(sealer.opening)
    assert [opener.open(f) for f in frames] == [b"one", b"two", b"three"]
    assert opener.finished
    for tampered in ([frames[1]], [frames[0], frames[0]], [frames[0], frames[2]]):
        opener = open_stream(sealer.opening)
        *before, wrong = tampered
        for frame in before:
            opener.open(frame)
        with pytest.raises(ValueError, match="dropped, reordered"):
            opener.open(wrong)
    flipped = frames[2][:1] + bytes([frames[2][1] ^ 1]) + frames[2][2:]
    opener = open_stream(sealer.opening)
    opener.open(frames[0])
    opener.open(frames[1])
    with pytest.raises(ValueError, match="does not open"):
        opener.open(flipped)
    # A frame claiming to be the last cannot be made from one that was not.
    forged = b"\x01" + frames[1][1:]
    opener = open_stream(sealer.opening)
    opener.open(frames[0])
    with pytest.raises(ValueError, match="does not open"):
        opener.open(forged)
