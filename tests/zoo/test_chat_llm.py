"""The chat model: its card's measurements still hold, its prompts and grammars
are what SmolLM2 was tuned on, and its tool calls read back."""

from __future__ import annotations

import json

import pytest

from aiaas.types.chat import ChatCompletionRequest
from aiaas_mock.zoo.chat_llm import CHAT_LLM
from aiaas_mock.zoo.chat_llm.prompts import PromptError, plan, tool_calls_of
from tests.helpers import CHAT_INSTALLED

needs_chat = pytest.mark.skipif(not CHAT_INSTALLED, reason="the chat extra is not installed")
TOOL = {
    "type": "function",
    "function": {
        "name": "open_work_order",
        "parameters": {"type": "object", "properties": {"asset": {"type": "string"}}},
    },
}


def request(**fields: object) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "pump 3 leaks"}], **fields}
    )


@needs_chat
def test_tools_go_into_the_system_message_and_the_grammar_holds_a_call() -> None:
    required = plan(request(tools=[TOOL], tool_choice="required"))
    assert required.messages[0]["role"] == "system"
    assert "<tools>" in required.messages[0]["content"]
    assert required.grammar is not None
    assert required.grammar.startswith('root ::= "<tool_call>"')
    auto = plan(request(tools=[TOOL]))
    assert auto.grammar is not None
    assert "free-text" in auto.grammar
    assert not auto.tool_required
    assert plan(request(tools=[TOOL], tool_choice="none")).grammar is None


@needs_chat
def test_conversations_that_make_no_sense_are_refused() -> None:
    with pytest.raises(PromptError, match="No assistant message"):
        plan(
            request(
                messages=[
                    {"role": "user", "content": "hi"},
                    {"role": "tool", "tool_call_id": "call_1", "content": "done"},
                ]
            )
        )
    with pytest.raises(PromptError, match="cannot be enforced") as raised:
        plan(
            request(
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "nonsense"}},
                }
            )
        )
    assert raised.value.code == "invalid_json_schema"


def test_tool_calls_read_back_from_the_answer() -> None:
    answer = '<tool_call>{"name": "open_work_order", "arguments": {"asset": "P3"}}</tool_call>'
    assert tool_calls_of(answer) == [("open_work_order", json.dumps({"asset": "P3"}))]
    assert tool_calls_of("Pump 3 needs a new seal.") is None
    assert tool_calls_of("<tool_call>{not json") is None


@needs_chat
@pytest.mark.slow
def test_the_cards_measurements_still_hold() -> None:
    card = CHAT_LLM.card()
    measured = CHAT_LLM.evaluate(CHAT_LLM.locate())
    # Greedy text is the same on one machine, but another CPU's kernels can turn
    # a few answers: allow a few of the 391 entities and of the 120 answers.
    assert measured.metrics.keys() == card.metrics.keys()
    for name, value in card.metrics.items():
        assert measured.metrics[name] == pytest.approx(value, abs=0.03), name
