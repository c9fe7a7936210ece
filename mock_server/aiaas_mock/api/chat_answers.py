"""One chat answer in OpenAI's shapes: the chunks of a stream as pieces of text
arrive, or the whole completion at the end. No I/O; the chat route drives it.

With tools, the first characters decide what the answer is: the grammar lets
the model open a ``<tool_call>`` or write text that starts with anything else.
A call is held back until it is complete, then sent as one tool-call delta.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from ..zoo.chat_llm.prompts import TOOL_CALL_OPEN, tool_calls_of
from ..zoo.chat_llm.runtime import Piece

__all__ = ["ChatAnswer"]


class ChatAnswer:
    def __init__(self, model: str, prompt_tokens: int, tools: bool, fingerprint: str) -> None:
        self.id = f"chatcmpl-{secrets.token_hex(12)}"
        self.created = int(time.time())
        self.model = model
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = 0
        self._fingerprint = fingerprint
        self._mode = "undecided" if tools else "text"
        self._held: list[str] = []
        self._text: list[str] = []
        self._logprobs: list[dict[str, Any]] | None = None
        self.finish_reason: str | None = None
        self._calls: list[tuple[str, str]] | None = None

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": self._fingerprint,
            "choices": choices,
            **extra,
        }

    def first_chunk(self) -> dict[str, Any]:
        """The role delta every stream starts with."""
        return self._chunk(
            [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]
        )

    def add(self, piece: Piece, logprobs: bool) -> list[dict[str, Any]]:
        """The chunks ``piece`` makes ready to send (none while a tool call grows)."""
        self.completion_tokens += piece.tokens
        if logprobs:
            if self._logprobs is None:
                self._logprobs = []
            self._logprobs.extend(piece.logprobs)
        self._text.append(piece.text)
        if self._mode == "undecided":
            self._held.append(piece.text)
            so_far = "".join(self._held).lstrip()
            if not so_far:
                return []
            if TOOL_CALL_OPEN.startswith(so_far) or so_far.startswith(TOOL_CALL_OPEN):
                if so_far.startswith(TOOL_CALL_OPEN):
                    self._mode = "call"
                return []
            self._mode = "text"
            text, self._held = "".join(self._held), []
            return [self._content(text, piece.logprobs if logprobs else None)]
        if self._mode == "call" or (not piece.text and not (logprobs and piece.logprobs)):
            return []
        return [self._content(piece.text, piece.logprobs if logprobs else None)]

    def _content(self, text: str, logprobs: list[dict[str, Any]] | None) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "delta": {"content": text}, "finish_reason": None}
        if logprobs is not None:
            choice["logprobs"] = {"content": logprobs}
        return self._chunk([choice])

    def finish(self, reason: str) -> list[dict[str, Any]]:
        """The last chunks: a complete tool call, if the answer was one, and the
        finish reason."""
        self.finish_reason = reason
        chunks: list[dict[str, Any]] = []
        if self._mode != "text":
            text = "".join(self._text)
            self._calls = tool_calls_of(text) if reason == "stop" else None
            if self._calls is not None:
                self.finish_reason = "tool_calls"
                chunks.append(self._chunk([{"index": 0, "delta": {"tool_calls": self._deltas()}}]))
            elif text:
                chunks.append(self._content(text, None))
        chunks.append(self._chunk([{"index": 0, "delta": {}, "finish_reason": self.finish_reason}]))
        return chunks

    def _call_ids(self) -> list[str]:
        return [f"call_{self.id[-12:]}_{i}" for i in range(len(self._calls or []))]

    def _deltas(self) -> list[dict[str, Any]]:
        return [
            {
                "index": i,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for i, (call_id, (name, arguments)) in enumerate(
                zip(self._call_ids(), self._calls or [], strict=True)
            )
        ]

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def usage_chunk(self) -> dict[str, Any]:
        return self._chunk([], usage=self.usage())

    def completion(self) -> dict[str, Any]:
        """The whole answer, after :meth:`finish`."""
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self._text)}
        if self._calls is not None:
            message["content"] = None
            message["tool_calls"] = [
                {"id": call_id, "type": "function", "function": {"name": n, "arguments": a}}
                for call_id, (n, a) in zip(self._call_ids(), self._calls, strict=True)
            ]
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "finish_reason": self.finish_reason,
            "logprobs": {"content": self._logprobs} if self._logprobs is not None else None,
        }
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": self._fingerprint,
            "choices": [choice],
            "usage": self.usage(),
        }
