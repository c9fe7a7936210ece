"""Streamed chat answers put back together: :class:`ChatCompletionAccumulator`
(pure) builds the :class:`ChatCompletion` that the chunks add up to, and the
chat streams offer it as ``get_final_completion()``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx

from ._streaming import AsyncStream, EventReader, MapError, Stream
from .types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionTokenLogprob,
    Choice,
    ChoiceLogprobs,
    CompletionUsage,
    Function,
)

__all__ = ["AsyncChatCompletionStream", "ChatCompletionAccumulator", "ChatCompletionStream"]


@dataclass
class _ToolCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _Choice:
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    tool_calls: dict[int, _ToolCall] = field(default_factory=dict)
    finish_reason: str | None = None
    logprobs: list[ChatCompletionTokenLogprob] | None = None


class ChatCompletionAccumulator:
    """Chunks in, the whole answer out: content joined, tool calls assembled by
    their index, the finish reason and the usage (when the server sent it)."""

    def __init__(self) -> None:
        self._first: ChatCompletionChunk | None = None
        self._choices: dict[int, _Choice] = {}
        self._usage: CompletionUsage | None = None
        self._fingerprint: str | None = None

    def add(self, chunk: ChatCompletionChunk) -> None:
        if self._first is None:
            self._first = chunk
        if chunk.usage is not None:
            self._usage = chunk.usage
        if chunk.system_fingerprint is not None:
            self._fingerprint = chunk.system_fingerprint
        for choice in chunk.choices:
            state = self._choices.setdefault(choice.index, _Choice())
            delta = choice.delta
            if delta.content:
                state.content.append(delta.content)
            if delta.refusal:
                state.refusal.append(delta.refusal)
            for call in delta.tool_calls or ():
                tool = state.tool_calls.setdefault(call.index, _ToolCall())
                if call.id:
                    tool.id = call.id
                if call.function is not None:
                    if call.function.name:
                        tool.name += call.function.name
                    if call.function.arguments:
                        tool.arguments.append(call.function.arguments)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
            if choice.logprobs is not None and choice.logprobs.content is not None:
                state.logprobs = (state.logprobs or []) + choice.logprobs.content

    def completion(self) -> ChatCompletion:
        """The answer the chunks so far add up to; ``ValueError`` before any chunk."""
        if self._first is None:
            raise ValueError("the stream had no chunk")
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            tool_calls = [
                ChatCompletionMessageToolCall(
                    id=tool.id, function=Function(name=tool.name, arguments="".join(tool.arguments))
                )
                for _, tool in sorted(state.tool_calls.items())
            ]
            message = ChatCompletionMessage(
                content="".join(state.content) if state.content or not tool_calls else None,
                refusal="".join(state.refusal) or None,
                tool_calls=tool_calls or None,
            )
            logprobs = (
                ChoiceLogprobs(content=state.logprobs) if state.logprobs is not None else None
            )
            choices.append(
                Choice(
                    index=index,
                    message=message,
                    finish_reason=state.finish_reason,
                    logprobs=logprobs,
                )
            )
        completion = ChatCompletion(
            id=self._first.id,
            created=self._first.created,
            model=self._first.model,
            choices=choices,
            usage=self._usage,
            system_fingerprint=self._fingerprint,
        )
        completion._request_id = self._first._request_id
        return completion


class ChatCompletionStream(Stream[ChatCompletionChunk]):
    """A streamed chat answer: iterate its chunks, then (or instead) ask for
    :meth:`get_final_completion`."""

    def __init__(
        self,
        response: httpx.Response,
        reader: EventReader[ChatCompletionChunk],
        fail: MapError,
        chunks: Iterator[bytes] | None = None,
    ) -> None:
        super().__init__(response, reader, fail, chunks)
        self._accumulator = ChatCompletionAccumulator()

    def __next__(self) -> ChatCompletionChunk:
        chunk = super().__next__()
        self._accumulator.add(chunk)
        return chunk

    def __iter__(self) -> ChatCompletionStream:
        return self

    def get_final_completion(self) -> ChatCompletion:
        """Reads what is left of the stream and returns the whole answer."""
        for _ in self:
            pass
        return self._accumulator.completion()


class AsyncChatCompletionStream(AsyncStream[ChatCompletionChunk]):
    """:class:`ChatCompletionStream` for the async client."""

    def __init__(
        self,
        response: httpx.Response,
        reader: EventReader[ChatCompletionChunk],
        fail: MapError,
        chunks: AsyncIterator[bytes] | None = None,
    ) -> None:
        super().__init__(response, reader, fail, chunks)
        self._accumulator = ChatCompletionAccumulator()

    async def __anext__(self) -> ChatCompletionChunk:
        chunk = await super().__anext__()
        self._accumulator.add(chunk)
        return chunk

    def __aiter__(self) -> AsyncChatCompletionStream:
        return self

    async def get_final_completion(self) -> ChatCompletion:
        """Reads what is left of the stream and returns the whole answer."""
        async for _ in self:
            pass
        return self._accumulator.completion()
