"""``python -m aiaas_mock.zoo.chat_llm``: measure the chat model and write its card."""

from __future__ import annotations

import json
import sys

from ..shipped_weights import WEIGHTS_DIR
from . import CHAT_LLM


def main() -> int:
    card = CHAT_LLM.evaluate_into(WEIGHTS_DIR)
    print(f"{CHAT_LLM.spec.id}: {json.dumps(card.metrics)} ({card.training_seconds} s)")
    print(json.dumps(card.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
