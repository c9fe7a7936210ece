"""``POST /v1/chat/completions``: OpenAI's chat completions, whole or streamed as
Server-Sent Events, served by the chat models of the catalogue.

A generation takes turns on the inference slots a few tokens at a time, so
light calls and other streams are never stuck behind a long answer, and stops
between two turns when its client has gone (the stream's task is cancelled).
A streamed answer is made as it is sent, so it cannot be stored for replay: a
streamed request with an ``Idempotency-Key`` is refused (400
``idempotency_unsupported``); a whole answer is stored and replayed as on
every other route.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from aiaas.types import FieldError
from aiaas.types.chat import ChatCompletionRequest

from ...middleware.request_id import request_id_of
from ...services import Services
from ...zoo.chat_llm.prompts import PromptError, plan
from ...zoo.chat_llm.runtime import Generation, GenerationSettings, RuntimeUnavailable
from ...zoo.chat_llm.serving import (
    CHAT_TASK,
    DEFAULT_COMPLETION_TOKENS,
    MAX_COMPLETION_TOKENS,
    ChatModel,
)
from ..chat_answers import ChatAnswer
from ..deps import Inferrer, ServicesDep
from ..idempotency import IDEMPOTENCY_HEADER, IdempotentRoute, record_from_loop
from ..inference import busy
from ..model_lookup import ServedModel
from ..openapi import PROBLEMS
from ..prediction import Admitted, admit, call_log, find_model
from ..problems import ProblemError, field_problem, problem_body

router = APIRouter(prefix="/v1", tags=["chat"], route_class=IdempotentRoute, responses=PROBLEMS)

FIRST_TURN_TOKENS = 1
"""The first turn ends at the first token: time to first token is the prompt's
evaluation and one step, nothing more."""
TURN_TOKENS = 16
TURN_SECONDS = 0.05
"""A turn ends after this many tokens or seconds, whichever comes first."""


@router.post("/chat/completions", response_model=None)
async def create_chat_completion(
    body: ChatCompletionRequest, request: Request, principal: Inferrer, services: ServicesDep
) -> JSONResponse | StreamingResponse:
    """A reply to the conversation in ``messages`` from a chat model: whole, or with
    ``stream: true`` as ``chat.completion.chunk`` events ending in ``data: [DONE]``."""
    if body.stream and request.headers.get(IDEMPOTENCY_HEADER) is not None:
        raise ProblemError(
            400,
            "idempotency_unsupported",
            "A streamed answer is not stored for replay: send it without an "
            "Idempotency-Key, or ask for the whole answer (stream: false).",
        )
    served = await anyio.to_thread.run_sync(
        find_model, services, principal, body.model, CHAT_TASK, "is not a chat model"
    )
    try:
        chat_plan = plan(body)
    except PromptError as error:
        raise _bad_request(error) from None
    # Characters first: counting tokens of a huge text is itself costly.
    contents = [m["content"] for m in chat_plan.messages]
    call = await anyio.to_thread.run_sync(_admit, services, served, contents)
    model: ChatModel = call.model.predictor  # type: ignore[assignment]
    prompt = model.prompt(chat_plan.messages)
    prompt_tokens = await anyio.to_thread.run_sync(model.count, prompt)
    settings = _settings(body, prompt_tokens, model.context_tokens)
    answer = ChatAnswer(body.model, prompt_tokens, chat_plan.tools, _fingerprint())
    _, log = call_log(principal, body.model, 1, prefix="chat")
    wants_logprobs = bool(body.logprobs)
    if body.stream:
        await record_from_loop(request, services, log)
    generation = await anyio.to_thread.run_sync(
        _start, model, prompt, settings, chat_plan.grammar, services.config.inference_queue_timeout
    )
    if not body.stream:
        try:
            while generation.finish_reason is None:
                piece = await anyio.to_thread.run_sync(_turn, services, generation, False)
                answer.add(piece, wants_logprobs)
                if await request.is_disconnected():
                    raise ProblemError(499, "client_closed_request", "The client has gone.")
        finally:
            generation.close()
        answer.finish(generation.finish_reason)
        await record_from_loop(request, services, log)
        return JSONResponse(answer.completion())
    include_usage = bool((body.stream_options or {}).get("include_usage"))
    return StreamingResponse(
        _events(
            services,
            generation,
            answer,
            wants_logprobs,
            include_usage,
            request_id_of(request.scope),
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(
    services: Services,
    generation: Generation,
    answer: ChatAnswer,
    wants_logprobs: bool,
    include_usage: bool,
    request_id: str | None,
) -> AsyncIterator[bytes]:
    try:
        yield _event(answer.first_chunk())
        first = True
        while generation.finish_reason is None:
            try:
                piece = await anyio.to_thread.run_sync(_turn, services, generation, first)
            except ProblemError as error:
                yield _error_event(error, request_id)
                return
            first = False
            for chunk in answer.add(piece, wants_logprobs):
                yield _event(chunk)
        for chunk in answer.finish(generation.finish_reason):
            yield _event(chunk)
        if include_usage:
            yield _event(answer.usage_chunk())
        yield b"data: [DONE]\n\n"
    finally:
        # Reached when the answer is done, and when the client has gone (the
        # task is cancelled at its next await, after the turn in progress).
        generation.close()


def _turn(services: Services, generation: Generation, first: bool) -> Any:
    with services.inference.turn():
        if first:
            return generation.step(FIRST_TURN_TOKENS, 60.0)
        return generation.step(TURN_TOKENS, TURN_SECONDS)


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _error_event(error: ProblemError, request_id: str | None) -> bytes:
    problem = problem_body(error.status, error.code, error.detail, request_id, **error.options)
    return b"event: error\ndata: " + json.dumps({"error": problem}).encode() + b"\n\n"


def _start(
    model: ChatModel, prompt: str, settings: GenerationSettings, grammar: str | None, wait: float
) -> Generation:
    try:
        return model.start(prompt, settings, grammar, wait)
    except TimeoutError:
        raise busy("Every chat context is generating; try again shortly.") from None


def _admit(services: Services, served: ServedModel, contents: list[str]) -> Admitted:
    try:
        return admit(services, served, contents, at=("body", "messages"), input_type=str)
    except RuntimeUnavailable as error:
        raise ProblemError(503, "model_unavailable", str(error)) from None


def _settings(body: ChatCompletionRequest, prompt_tokens: int, context: int) -> GenerationSettings:
    asked = body.max_completion_tokens or body.max_tokens
    if asked is not None and asked > MAX_COMPLETION_TOKENS:
        raise ProblemError(
            400,
            "max_tokens_too_large",
            f"max_completion_tokens is {asked}; this server generates at most "
            f"{MAX_COMPLETION_TOKENS} tokens per answer (GET /v1/limits).",
            extra={"limit": MAX_COMPLETION_TOKENS, "asked": asked},
        )
    room = context - prompt_tokens
    if room < (asked or 1):
        raise ProblemError(
            400,
            "context_length_exceeded",
            f"The messages take {prompt_tokens} tokens and the answer may take "
            f"{asked or 1}; the context window holds {context}. Shorten the messages "
            "or ask for fewer tokens.",
            extra={
                "prompt_tokens": prompt_tokens,
                "max_completion_tokens": asked or 1,
                "context_window": context,
            },
        )
    stop = body.stop
    stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
    top_logprobs = None
    if body.logprobs:
        top_logprobs = body.top_logprobs or 0
    elif body.top_logprobs:
        raise field_problem("body.top_logprobs", "top_logprobs needs logprobs: true.")
    return GenerationSettings(
        max_tokens=asked or min(DEFAULT_COMPLETION_TOKENS, room),
        temperature=1.0 if body.temperature is None else body.temperature,
        top_p=1.0 if body.top_p is None else body.top_p,
        seed=body.seed,
        frequency_penalty=body.frequency_penalty or 0.0,
        presence_penalty=body.presence_penalty or 0.0,
        top_logprobs=top_logprobs,
        stop=stops,
    )


def _bad_request(error: PromptError) -> ProblemError:
    return ProblemError(
        400,
        error.code,
        str(error),
        errors=[FieldError(field=error.field, message=str(error), type=error.code)],
    )


def _fingerprint() -> str:
    from llama_cpp import __version__

    return f"fp_llama.cpp-{__version__}"
