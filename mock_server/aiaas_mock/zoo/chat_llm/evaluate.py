"""Measure the chat model for its card: ``python -m aiaas_mock.zoo.chat_llm``.

A maintenance team's use: read a free-text work order and fill asset, symptom,
action and parts as JSON held to a schema. On real MaintIE work orders (which
the model never saw), every answer is checked against the schema and the gold
entities' texts are looked for in the fields it filled (case-insensitive): the
share found is the entity text recall. Greedy decoding, so the run repeats on
one machine; another CPU may move the last digits.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..maintenance_text.maintie import load_maintie
from ..shipped_weights import WeightsCard
from .runtime import ChatRuntime, GenerationSettings
from .serving import CONTEXTS, ChatModel, threads

EXTRACTION_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "asset": {"type": "string", "description": "the equipment or component"},
        "symptom": {"type": "string", "description": "what is wrong with it"},
        "action": {"type": "string", "description": "what was or is to be done"},
        "parts": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
    },
    "required": ["asset", "symptom", "action", "parts"],
    "additionalProperties": False,
}
SYSTEM = (
    "You read maintenance work orders. Answer with JSON: the asset, the symptom, "
    "the action, and the parts named in the order. Copy words from the order."
)
ORDERS = 120
"""Work orders measured: the first of MaintIE's half that ships here."""


def fields_text(fields: dict[str, object]) -> str:
    texts = [str(fields.get(name, "")) for name in ("asset", "symptom", "action")]
    parts = fields.get("parts")
    if isinstance(parts, list):
        texts += [str(part) for part in parts]
    return " ".join(texts).lower()


def evaluate(weights: Path, orders: int = ORDERS) -> WeightsCard:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    model = ChatModel(ChatRuntime(weights, CONTEXTS, threads()))
    grammar = json_schema_to_gbnf(json.dumps(EXTRACTION_SCHEMA))
    found = total = valid = tokens = 0
    seconds = 0.0
    sample = load_maintie().orders[:orders]
    for order in sample:
        prompt = model.prompt(
            [{"role": "system", "content": SYSTEM}, {"role": "user", "content": order.text}]
        )
        started = time.perf_counter()
        generation = model.start(
            prompt, GenerationSettings(max_tokens=160, temperature=0.0), grammar, 60.0
        )
        text = generation.finish()
        seconds += time.perf_counter() - started
        tokens += generation.completion_tokens
        try:
            fields = json.loads(text)
            valid += isinstance(fields, dict) and set(fields) == {
                "asset",
                "symptom",
                "action",
                "parts",
            }
        except ValueError:
            fields = {}
        answer = fields_text(fields) if isinstance(fields, dict) else ""
        for span in order.entities:
            total += 1
            found += order.text[span.start : span.end].lower() in answer
    recall = found / total
    return WeightsCard(
        metrics={
            "maintie_entity_text_recall": round(recall, 4),
            "json_schema_valid_rate": round(valid / len(sample), 4),
        },
        data={
            "evaluation": (
                f"{len(sample)} real MaintIE work orders ({total} gold entities), "
                "extraction to a JSON schema, greedy"
            ),
            "speed": f"{tokens / seconds:.0f} tokens/s generating under a grammar "
            f"({threads()} threads)",
        },
    )
