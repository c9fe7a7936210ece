"""Chat streams: what the SDK costs per chunk, what the server adds to the model,
and how streams and light calls share the machine.

1. Client CPU per streamed chunk: the SDK's ``Stream`` against the ``openai``
   package's on the same mock server, calls interleaved, each reading the same
   answer (greedy, 64 tokens); CPU time of the client thread divided by chunks.
2. Time to first token and tokens per second: through the mock over HTTP on
   loopback (its own process, encryption off and on) against llama.cpp in this
   process with the same prompt, settings and thread count, interleaved.
3. Sharing: four streams at once (each one's tokens per second, and the
   slowest against the fastest), and the latency of a light predict call
   (``quality-logreg``) while a long answer streams, against the same call idle.

Usage: python benchmarks/bench_chat.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any

import openai
from common import RUN
from servers import mock_server

import aiaas
from aiaas_mock.zoo.chat_llm.prompts import render
from aiaas_mock.zoo.chat_llm.runtime import ChatRuntime, GenerationSettings, gguf_path, start
from aiaas_mock.zoo.chat_llm.serving import threads

MODEL = "smollm2-135m-instruct"
MESSAGES: list[Any] = [
    {"role": "user", "content": "Write a checklist for restarting a hydraulic press after a leak."}
]
TOKENS = 64


def sdk_stream(client: aiaas.Client) -> tuple[int, float, float]:
    """(chunks, seconds to the first content, client CPU seconds) of one answer."""
    cpu, wall = time.thread_time(), time.perf_counter()
    first = 0.0
    chunks = 0
    with client.chat.completions.create(
        model=MODEL, messages=MESSAGES, max_completion_tokens=TOKENS, temperature=0, stream=True
    ) as stream:
        for chunk in stream:
            chunks += 1
            if not first and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - wall
    return chunks, first, time.thread_time() - cpu


def openai_stream(client: openai.OpenAI) -> tuple[int, float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    first = 0.0
    chunks = 0
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, max_completion_tokens=TOKENS, temperature=0, stream=True
    )
    with stream:
        for chunk in stream:
            chunks += 1
            if not first and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - wall
    return chunks, first, time.thread_time() - cpu


def in_process(runtime: ChatRuntime) -> tuple[int, float, float]:
    """(tokens, seconds to the first token, seconds in all) with llama.cpp here."""
    wall = time.perf_counter()
    prompt = render(runtime.chat_template, runtime.eos_text, MESSAGES)
    generation = start(
        runtime, prompt, GenerationSettings(max_tokens=TOKENS, temperature=0.0), None, 60.0
    )
    first = 0.0
    try:
        while generation.finish_reason is None:
            generation.step(1, 60.0)
            if not first:
                first = time.perf_counter() - wall
    finally:
        generation.close()
    return generation.completion_tokens, first, time.perf_counter() - wall


def through_server(client: aiaas.Client) -> tuple[int, float, float]:
    wall = time.perf_counter()
    first = 0.0
    with client.chat.completions.create(
        model=MODEL,
        messages=MESSAGES,
        max_completion_tokens=TOKENS,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        for chunk in stream:
            if not first and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - wall
        usage = stream.get_final_completion().usage
    assert usage is not None
    return usage.completion_tokens, first, time.perf_counter() - wall


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    runtime = ChatRuntime(gguf_path(), 1, threads())
    with mock_server() as server:
        plain = aiaas.Client(api_key=server.api_key, base_url=server.base_url, encryption="off")
        sealed = aiaas.Client(
            api_key=server.api_key, base_url=server.base_url, encryption="required"
        )
        oai = openai.OpenAI(api_key=server.api_key, base_url=server.base_url + "/v1")
        for _ in range(2):  # load the model, open connections
            sdk_stream(plain)
            openai_stream(oai)
            sdk_stream(sealed)
            in_process(runtime)

        print(f"1. client CPU per chunk, {TOKENS}-token answers, {args.rounds} rounds each")
        sdk_cpu, oai_cpu = [], []
        for _ in range(args.rounds):
            chunks, _, cpu = sdk_stream(plain)
            sdk_cpu.append(cpu / chunks * 1e6)
            chunks, _, cpu = openai_stream(oai)
            oai_cpu.append(cpu / chunks * 1e6)
        print(f"   aiaas Stream   {median(sdk_cpu):7.1f} us/chunk (median)")
        print(f"   openai Stream  {median(oai_cpu):7.1f} us/chunk (median)")
        print(f"   ratio          {median(sdk_cpu) / median(oai_cpu):7.2f}x  (goal <= 1.0)")

        print("\n2. time to first token and tokens/s, interleaved")
        rows: dict[str, list[tuple[int, float, float]]] = {
            "llama.cpp in process": [],
            "mock over HTTP": [],
            "mock, sealed stream": [],
        }
        for _ in range(args.rounds):
            rows["llama.cpp in process"].append(in_process(runtime))
            rows["mock over HTTP"].append(through_server(plain))
            rows["mock, sealed stream"].append(through_server(sealed))
        base_ttft = median([r[1] for r in rows["llama.cpp in process"]])
        base_rate = median([r[0] / r[2] for r in rows["llama.cpp in process"]])
        for name, results in rows.items():
            ttft = median([r[1] for r in results])
            rate = median([r[0] / r[2] for r in results])
            added = (ttft - base_ttft) * 1000
            print(
                f"   {name:22} first token {ttft * 1000:6.1f} ms (+{added:5.1f})"
                f"   {rate:6.1f} tokens/s ({rate / base_rate:4.2f}x)"
            )
        print("   goals: +5 ms at most to the first token, at least 0.9x the tokens/s")

        print("\n3. sharing the machine")
        rates: list[float] = [0.0] * 4

        def one(index: int) -> None:
            client = aiaas.Client(api_key=server.api_key, base_url=server.base_url)
            tokens, _, seconds = through_server(client)
            rates[index] = tokens / seconds
            client.close()

        workers = [threading.Thread(target=one, args=(i,)) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(
            "   four streams at once: "
            + ", ".join(f"{r:.1f}" for r in rates)
            + f" tokens/s; slowest/fastest {min(rates) / max(rates):.2f}"
        )

        def light() -> float:
            started = time.perf_counter()
            plain.models.predict("quality-logreg", inputs=[RUN])
            return time.perf_counter() - started

        idle = [light() for _ in range(200)]
        busy: list[float] = []
        done = threading.Event()

        def long_answer() -> None:
            client = aiaas.Client(api_key=server.api_key, base_url=server.base_url)
            while not done.is_set():
                with client.chat.completions.create(
                    model=MODEL, messages=MESSAGES, max_completion_tokens=400, stream=True
                ) as stream:
                    for _ in stream:
                        if done.is_set():
                            break
            client.close()

        generator = threading.Thread(target=long_answer)
        generator.start()
        time.sleep(0.5)
        busy = [light() for _ in range(200)]
        done.set()
        generator.join()
        print(
            f"   light predict idle  p50 {median(idle) * 1000:6.2f} ms  "
            f"p99 {p99(idle) * 1000:6.2f} ms"
        )
        print(
            f"   during a long answer p50 {median(busy) * 1000:6.2f} ms  "
            f"p99 {p99(busy) * 1000:6.2f} ms  ({p99(busy) / p99(idle):.2f}x idle p99; goal <= 2)"
        )
        plain.close()
        sealed.close()
        oai.close()


if __name__ == "__main__":
    main()
