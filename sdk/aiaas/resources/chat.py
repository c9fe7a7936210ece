"""``client.chat.completions``: chat with a generative model, whole or streamed,
with OpenAI's parameter names, against the aiaas service or any
OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx
from pydantic import BaseModel, ValidationError

from .._chat_stream import AsyncChatCompletionStream, ChatCompletionStream
from .._exceptions import APIResponseValidationError
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionStreamOptionsParam,
    ChatCompletionToolChoiceOptionParam,
    ChatCompletionToolParam,
    ParsedChatCompletion,
    ResponseFormat,
)
from ._base import AsyncAPIResource, SyncAPIResource

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncChat", "AsyncCompletions", "Chat", "Completions"]

ParsedT = TypeVar("ParsedT", bound=BaseModel)


OPTION_NAMES = frozenset(
    {
        "max_completion_tokens",
        "max_tokens",
        "temperature",
        "top_p",
        "seed",
        "stop",
        "n",
        "stream_options",
        "response_format",
        "tools",
        "tool_choice",
        "logprobs",
        "top_logprobs",
        "frequency_penalty",
        "presence_penalty",
        "user",
    }
)
"""The parameters sent in the body as they are given (``None``: not sent)."""


def _create_spec(arguments: Mapping[str, Any]) -> RequestSpec:
    """The request of one ``create`` call, from its arguments (``locals()``): the
    OpenAI parameters that are not ``None`` go in the body as they are given."""
    stream = bool(arguments["stream"])
    body: dict[str, Any] = {"model": arguments["model"], "messages": list(arguments["messages"])}
    for name in OPTION_NAMES:
        value = arguments[name]
        if value is None:
            continue
        if name in ("stop", "tools") and not isinstance(value, str):
            value = list(value)
        body[name] = value
    if stream:
        body["stream"] = True
    spec = RequestSpec(
        "POST",
        "/v1/chat/completions",
        json=body,
        idempotency_key=arguments["idempotency_key"],
        stream=stream,
    )
    return per_call(
        spec,
        extra_headers=arguments["extra_headers"],
        extra_query=arguments["extra_query"],
        extra_body=arguments["extra_body"],
        timeout=arguments["timeout"],
    )


def schema_format(response_format: type[BaseModel]) -> ResponseFormat:
    """A ``json_schema`` response format from a pydantic model (strict, as OpenAI's
    ``parse`` sends it)."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": response_format.__name__,
            "schema": response_format.model_json_schema(),
            "strict": True,
        },
    }


def parsed(
    completion: ChatCompletion, response_format: type[ParsedT]
) -> ParsedChatCompletion[ParsedT]:
    """``completion`` with each message's content read as ``response_format``."""
    data = completion.model_dump()
    for choice in data["choices"]:
        message = choice["message"]
        content = message.get("content")
        if (
            content is not None
            and not message.get("tool_calls")
            and choice.get("finish_reason") in ("stop", None)
        ):
            try:
                message["parsed"] = response_format.model_validate_json(content)
            except ValidationError as exc:
                raise APIResponseValidationError(
                    f"the answer did not match {response_format.__name__}: "
                    f"{exc.errors()[0]['msg']}",
                    response=httpx.Response(200, text=content),
                ) from None
    result = ParsedChatCompletion[response_format].model_validate(data)  # type: ignore[valid-type]
    result._request_id = completion._request_id
    return result


class Completions(SyncAPIResource):
    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[False] | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChatCompletion: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[True],
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChatCompletionStream: ...

    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChatCompletion | ChatCompletionStream:
        """The model's reply to ``messages``: a :class:`ChatCompletion`, or with
        ``stream=True`` a :class:`~aiaas.ChatCompletionStream` of chunks as they are
        generated. The parameters are OpenAI's (see docs/chat.md); those left
        ``None`` are not sent. A stream is retried until its answer starts, never
        after; ``timeout`` bounds each read, not the whole answer.
        """
        # The parameters are named as on the wire: the request is built from them.
        spec = _create_spec(locals())
        if stream:
            return self._stream(spec, ChatCompletionChunk, ChatCompletionStream)
        return self._request(spec, ChatCompletion)

    def parse(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        response_format: type[ParsedT],
        max_completion_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ParsedChatCompletion[ParsedT]:
        """:meth:`create` with the answer held to a pydantic model's JSON schema and
        read back as that model: ``completion.choices[0].message.parsed``."""
        completion = self.create(
            model=model,
            messages=messages,
            response_format=schema_format(response_format),
            max_completion_tokens=max_completion_tokens,
            temperature=temperature,
            seed=seed,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            extra_body=extra_body,
            timeout=timeout,
        )
        return parsed(completion, response_format)


class Chat(SyncAPIResource):
    """``client.chat``: holds ``completions``, as in the ``openai`` package."""

    def __init__(self, client: Client) -> None:
        super().__init__(client)
        self.completions: Completions = Completions(client)


class AsyncCompletions(AsyncAPIResource):
    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[False] | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[True],
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncChatCompletionStream: ...

    async def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        stream_options: ChatCompletionStreamOptionsParam | None = None,
        response_format: ResponseFormat | None = None,
        tools: Iterable[ChatCompletionToolParam] | None = None,
        tool_choice: ChatCompletionToolChoiceOptionParam | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        user: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChatCompletion | AsyncChatCompletionStream:
        """The model's reply to ``messages``: a :class:`ChatCompletion`, or with
        ``stream=True`` an :class:`~aiaas.AsyncChatCompletionStream` of chunks as
        they are generated (see :meth:`Completions.create`)."""
        # The parameters are named as on the wire: the request is built from them.
        spec = _create_spec(locals())
        if stream:
            return await self._stream(spec, ChatCompletionChunk, AsyncChatCompletionStream)
        return await self._request(spec, ChatCompletion)

    async def parse(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        response_format: type[ParsedT],
        max_completion_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ParsedChatCompletion[ParsedT]:
        """:meth:`create` with the answer held to a pydantic model's JSON schema and
        read back as that model: ``completion.choices[0].message.parsed``."""
        completion = await self.create(
            model=model,
            messages=messages,
            response_format=schema_format(response_format),
            max_completion_tokens=max_completion_tokens,
            temperature=temperature,
            seed=seed,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            extra_body=extra_body,
            timeout=timeout,
        )
        return parsed(completion, response_format)


class AsyncChat(AsyncAPIResource):
    """``client.chat``: holds ``completions``, as in the ``openai`` package."""

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.completions: AsyncCompletions = AsyncCompletions(client)
