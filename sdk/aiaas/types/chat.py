"""Requests to and answers from ``POST /v1/chat/completions``, shaped and named
as OpenAI's, so code moves between this SDK and the ``openai`` package, and
between the aiaas service and any OpenAI-compatible server (vLLM, llama.cpp's
server, Ollama, TGI).

What you send is plain dicts, typed here as ``TypedDict`` (the ``...Param``
names); what you get back is pydantic models that keep fields they do not know.
The mock server validates requests with these same types.
"""

from __future__ import annotations

from typing import (
    Annotated,
    Any,
    ClassVar,
    Generic,
    Literal,
    NotRequired,
    Required,
    TypeAlias,
    TypeVar,
)

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypedDict

from .api_object import APIObject

__all__ = [
    "ChatCompletion",
    "ChatCompletionAssistantMessageParam",
    "ChatCompletionChunk",
    "ChatCompletionContentPartTextParam",
    "ChatCompletionDeveloperMessageParam",
    "ChatCompletionMessage",
    "ChatCompletionMessageParam",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallParam",
    "ChatCompletionNamedToolChoiceParam",
    "ChatCompletionRequest",
    "ChatCompletionStreamOptionsParam",
    "ChatCompletionSystemMessageParam",
    "ChatCompletionTokenLogprob",
    "ChatCompletionToolChoiceOptionParam",
    "ChatCompletionToolMessageParam",
    "ChatCompletionToolParam",
    "ChatCompletionUserMessageParam",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "ChunkChoice",
    "CompletionUsage",
    "FinishReason",
    "Function",
    "FunctionDefinition",
    "JSONSchema",
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "ResponseFormat",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
    "TopLogprob",
]

ParsedT = TypeVar("ParsedT")

# -- what you send ------------------------------------------------------------


class ChatCompletionContentPartTextParam(TypedDict):
    type: Literal["text"]
    text: str


MessageContent: TypeAlias = str | list[ChatCompletionContentPartTextParam]


class ChatCompletionSystemMessageParam(TypedDict):
    role: Literal["system"]
    content: MessageContent
    name: NotRequired[str]


class ChatCompletionDeveloperMessageParam(TypedDict):
    """OpenAI's newer name for system instructions; served as a system message."""

    role: Literal["developer"]
    content: MessageContent
    name: NotRequired[str]


class ChatCompletionUserMessageParam(TypedDict):
    role: Literal["user"]
    content: MessageContent
    name: NotRequired[str]


class FunctionCallParam(TypedDict):
    name: str
    arguments: str
    """The arguments as a JSON text, as the model wrote them."""


class ChatCompletionMessageToolCallParam(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCallParam


class ChatCompletionAssistantMessageParam(TypedDict, total=False):
    role: Required[Literal["assistant"]]
    content: MessageContent | None
    name: str
    tool_calls: list[ChatCompletionMessageToolCallParam]
    refusal: str | None


class ChatCompletionToolMessageParam(TypedDict):
    role: Literal["tool"]
    content: MessageContent
    tool_call_id: str


ChatCompletionMessageParam: TypeAlias = Annotated[
    ChatCompletionSystemMessageParam
    | ChatCompletionDeveloperMessageParam
    | ChatCompletionUserMessageParam
    | ChatCompletionAssistantMessageParam
    | ChatCompletionToolMessageParam,
    Field(discriminator="role"),
]
"""One message of the conversation; ``role`` says which kind."""


class FunctionDefinition(TypedDict, total=False):
    name: Required[str]
    description: str
    parameters: dict[str, object]
    """The arguments' JSON schema."""
    strict: bool | None


class ChatCompletionToolParam(TypedDict):
    type: Literal["function"]
    function: FunctionDefinition


class _NamedFunction(TypedDict):
    name: str


class ChatCompletionNamedToolChoiceParam(TypedDict):
    type: Literal["function"]
    function: _NamedFunction


ChatCompletionToolChoiceOptionParam: TypeAlias = (
    Literal["none", "auto", "required"] | ChatCompletionNamedToolChoiceParam
)


class ResponseFormatText(TypedDict):
    type: Literal["text"]


class ResponseFormatJSONObject(TypedDict):
    type: Literal["json_object"]


class JSONSchema(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: dict[str, object]
    strict: bool | None


class ResponseFormatJSONSchema(TypedDict):
    type: Literal["json_schema"]
    json_schema: JSONSchema


ResponseFormat: TypeAlias = Annotated[
    ResponseFormatText | ResponseFormatJSONObject | ResponseFormatJSONSchema,
    Field(discriminator="type"),
]


class ChatCompletionStreamOptionsParam(TypedDict, total=False):
    include_usage: bool


class ChatCompletionRequest(BaseModel):
    """The body of ``POST /v1/chat/completions`` (the server's view of it)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=128)
    messages: list[ChatCompletionMessageParam] = Field(min_length=1, max_length=256)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    stop: str | list[str] | None = None
    n: int | None = Field(default=None, ge=1, le=1)
    stream: bool | None = None
    stream_options: ChatCompletionStreamOptionsParam | None = None
    response_format: ResponseFormat | None = None
    tools: list[ChatCompletionToolParam] | None = Field(default=None, max_length=64)
    tool_choice: ChatCompletionToolChoiceOptionParam | None = None
    parallel_tool_calls: bool | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    user: str | None = Field(default=None, max_length=256)

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, stop: str | list[str] | None) -> str | list[str] | None:
        stops = [stop] if isinstance(stop, str) else (stop or [])
        if len(stops) > 4 or any(not item or len(item) > 64 for item in stops):
            raise ValueError("at most 4 stop sequences of 1 to 64 characters")
        return stop


# -- what comes back ------------------------------------------------------------

FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter"]
"""Why generation ended: a stop (end of turn or a ``stop`` sequence), the token
limit, a tool call, a filter. Other servers may send other words; the fields
typed with this accept any string."""


class _Answer(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")


class CompletionUsage(_Answer):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class TopLogprob(_Answer):
    token: str
    logprob: float
    bytes: list[int] | None = None


class ChatCompletionTokenLogprob(_Answer):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = Field(default_factory=list)


class ChoiceLogprobs(_Answer):
    content: list[ChatCompletionTokenLogprob] | None = None
    refusal: list[ChatCompletionTokenLogprob] | None = None


class Function(_Answer):
    name: str
    arguments: str
    """A JSON text; parse it with ``json.loads``."""


class ChatCompletionMessageToolCall(_Answer):
    id: str
    type: Literal["function"] = "function"
    function: Function


class ChatCompletionMessage(_Answer):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ChatCompletionMessageToolCall] | None = None


class Choice(_Answer):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: FinishReason | str | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletion(APIObject):
    """A whole answer (``stream`` off)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage | None = None
    system_fingerprint: str | None = None


class ChoiceDeltaToolCallFunction(_Answer):
    name: str | None = None
    arguments: str | None = None


class ChoiceDeltaToolCall(_Answer):
    index: int
    id: str | None = None
    type: Literal["function"] | None = None
    function: ChoiceDeltaToolCallFunction | None = None


class ChoiceDelta(_Answer):
    role: Literal["assistant", "system", "user", "developer", "tool"] | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None


class ChunkChoice(_Answer):
    index: int = 0
    delta: ChoiceDelta = Field(default_factory=ChoiceDelta)
    finish_reason: FinishReason | str | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(APIObject):
    """One event of a streamed answer. The usage chunk at the end (with
    ``stream_options={"include_usage": True}``) has no choices."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: CompletionUsage | None = None
    system_fingerprint: str | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _none_is_empty(cls, choices: Any) -> Any:
        # Some servers send "choices": null on the usage chunk.
        return [] if choices is None else choices


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[ParsedT]):
    parsed: ParsedT | None = None
    """The content read as the ``response_format`` type (``None`` for a refusal
    or a tool call)."""


class ParsedChoice(Choice, Generic[ParsedT]):
    message: ParsedChatCompletionMessage[ParsedT]


class ParsedChatCompletion(ChatCompletion, Generic[ParsedT]):
    """A :class:`ChatCompletion` whose message carries ``parsed``."""

    choices: list[ParsedChoice[ParsedT]]  # type: ignore[assignment]
