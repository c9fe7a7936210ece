"""``smollm2-135m-instruct``: chat completions from a small pretrained instruct
model on llama.cpp (the ``chat`` extra).

``runtime`` runs the model, ``prompts`` turns conversations into its prompts and
grammars, ``serving`` is what the server calls, ``evaluate`` measures it for
its card: ``python -m aiaas_mock.zoo.chat_llm``.
"""

from __future__ import annotations

from ..entries import PretrainedModel
from ..shipped_weights import WeightsCard
from .evaluate import evaluate
from .runtime import gguf_path
from .serving import SPEC, restore

CHAT_LLM = PretrainedModel(SPEC, WeightsCard, gguf_path, restore, evaluate)
