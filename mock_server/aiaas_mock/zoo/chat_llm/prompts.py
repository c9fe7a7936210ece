"""From an OpenAI-shaped conversation to the model's prompt and grammar, and from
its constrained answer back to tool calls. Pure, apart from llama.cpp's own
JSON-schema-to-grammar converter.

SmolLM2 was tuned on ChatML with tools listed in the system message inside
``<tools></tools>`` and calls answered as ``<tool_call>{"name": ..., "arguments":
{...}}</tool_call>``; the prompt follows that, and the grammar holds a call to
exactly that shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiaas.types.chat import ChatCompletionRequest

__all__ = [
    "ChatPlan",
    "PromptError",
    "plan",
    "render",
    "tool_calls_of",
]

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


class PromptError(ValueError):
    """The conversation cannot be served: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class ChatPlan:
    """What to run: the messages as the template takes them, the grammar (GBNF)
    that holds the answer, and how to read the answer."""

    messages: list[dict[str, str]]
    grammar: str | None
    tools: bool
    """The answer may be (``tool_choice`` auto) or must be a tool call."""
    tool_required: bool


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part["text"] for part in content)


def plan(request: ChatCompletionRequest) -> ChatPlan:
    """The messages, grammar and answer kind of a validated request; ``PromptError``
    for a conversation that makes no sense (a tool result nobody asked for, ...)."""
    _check_conversation(request)
    tools = list(request.tools or [])
    choice = request.tool_choice if request.tool_choice is not None else "auto"
    if choice != "none" and not tools and request.tool_choice is not None:
        raise PromptError("body.tool_choice", "tool_choice needs tools.")
    use_tools = bool(tools) and choice != "none"
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        chosen = [tool for tool in tools if tool["function"]["name"] == name]
        if not chosen:
            raise PromptError("body.tool_choice", f"No tool named '{name}' in tools.")
        tools_for_grammar = chosen
    else:
        tools_for_grammar = tools
    messages = _messages(request, tools if use_tools else [])
    response_format = request.response_format
    if use_tools and response_format is not None and response_format["type"] != "text":
        raise PromptError(
            "body.response_format", "Ask for tools or for a response_format, not both."
        )
    grammar: str | None = None
    if use_tools:
        call = _tool_call_grammar(tools_for_grammar)
        if choice == "auto":
            # The model chooses with its first token: a call, or text not starting with '<'.
            grammar = call.replace("root ::=", "tool-call ::=", 1) + (
                "\nroot ::= tool-call | free-text\nfree-text ::= [^<] [^\\x00]*"
            )
        else:
            grammar = call
    elif response_format is not None and response_format["type"] == "json_object":
        from llama_cpp.llama_grammar import JSON_GBNF

        grammar = JSON_GBNF
    elif response_format is not None and response_format["type"] == "json_schema":
        schema = response_format["json_schema"].get("schema") or {"type": "object"}
        grammar = _schema_grammar(schema, "body.response_format.json_schema.schema")
    return ChatPlan(messages, grammar, use_tools, use_tools and choice != "auto")


def _check_conversation(request: ChatCompletionRequest) -> None:
    asked: set[str] = set()
    for index, message in enumerate(request.messages):
        if message["role"] == "assistant":
            for call in message.get("tool_calls") or []:
                asked.add(call["id"])
        elif message["role"] == "tool" and message["tool_call_id"] not in asked:
            raise PromptError(
                f"body.messages.{index}.tool_call_id",
                f"No assistant message before it called a tool with id "
                f"'{message['tool_call_id']}'.",
            )
    if request.messages[-1]["role"] == "assistant":
        raise PromptError(
            "body.messages", "The last message is the assistant's: nothing to answer."
        )


def _messages(request: ChatCompletionRequest, tools: Sequence[Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for message in request.messages:
        if message["role"] in ("system", "developer"):
            out.append({"role": "system", "content": _text(message["content"])})
        elif message["role"] == "assistant":
            parts = [_text(message.get("content"))]
            for call in message.get("tool_calls") or []:
                function = call["function"]
                arguments = _json_or_text(function["arguments"])
                body = json.dumps({"name": function["name"], "arguments": arguments})
                parts.append(f"{TOOL_CALL_OPEN}\n{body}\n{TOOL_CALL_CLOSE}")
            out.append({"role": "assistant", "content": "\n".join(p for p in parts if p)})
        else:
            out.append({"role": message["role"], "content": _text(message["content"])})
    if tools:
        listing = "\n".join(json.dumps(tool["function"]) for tool in tools)
        instructions = (
            "You have access to the following tools:\n<tools>\n"
            f"{listing}\n</tools>\n"
            "To call a tool, answer with "
            f'{TOOL_CALL_OPEN}{{"name": <tool name>, "arguments": {{...}}}}{TOOL_CALL_CLOSE}.'
        )
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + instructions}
        else:
            out.insert(0, {"role": "system", "content": DEFAULT_SYSTEM + "\n\n" + instructions})
    return out


def _json_or_text(arguments: str) -> Any:
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments


def _tool_call_grammar(tools: Sequence[Any]) -> str:
    calls = [
        {
            "type": "object",
            "properties": {
                "name": {"const": tool["function"]["name"]},
                "arguments": tool["function"].get("parameters") or {"type": "object"},
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for tool in tools
    ]
    schema = calls[0] if len(calls) == 1 else {"anyOf": calls}
    body = _schema_grammar(schema, "body.tools")
    body = body.replace("root ::=", "call-json ::=", 1)
    return f'root ::= "{TOOL_CALL_OPEN}" call-json "{TOOL_CALL_CLOSE}"\n' + body


def _schema_grammar(schema: Any, field: str) -> str:
    """llama.cpp's grammar for a JSON schema; ``PromptError`` for one it cannot take."""
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    if not isinstance(schema, dict):
        raise PromptError(field, "A JSON schema is an object.", "invalid_json_schema")
    try:
        grammar: str = json_schema_to_gbnf(json.dumps(schema))
        LlamaGrammar.from_string(grammar, verbose=False)  # parsing it checks it
    except Exception as exc:  # the converter raises bare Exceptions of several kinds
        raise PromptError(
            field, f"This JSON schema cannot be enforced: {exc}", "invalid_json_schema"
        ) from None
    return grammar


def render(template: str, eos: str, messages: list[dict[str, str]]) -> str:
    """The prompt the model's own chat template makes of ``messages``."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template, eos_token=eos, bos_token="")
    prompt: str = formatter(messages=messages).prompt  # type: ignore[arg-type]
    return prompt


def tool_calls_of(text: str) -> list[tuple[str, str]] | None:
    """``(name, arguments as JSON text)`` of the calls in an answer, or ``None``
    when the answer is not a call."""
    stripped = text.strip()
    if not stripped.startswith(TOOL_CALL_OPEN):
        return None
    calls = []
    for part in stripped.split(TOOL_CALL_OPEN)[1:]:
        body = part.split(TOOL_CALL_CLOSE)[0].strip()
        try:
            call = json.loads(body)
        except ValueError:
            return None
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            return None
        calls.append((call["name"], json.dumps(call.get("arguments", {}))))
    return calls or None
