"""Start-up cost: ``import`` alone, and ``import`` plus a client plus its first
answered call, each in a fresh interpreter (median of several), for the SDK
beside raw httpx and the openai package.

The first call goes to an in-memory transport, so only the client's own work
is timed: no server, no network.

Usage: python benchmarks/bench_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ANSWER = (
    "def answer(request):\n"
    '    body = b\'{"id":"p","object":"prediction","model":"m","outputs":[{}],'
    '"usage":{"inputs":1,"compute_ms":1.0},"created_at":0}\'\n'
    "    return httpx.Response(200, content=body, headers={'content-type': 'application/json'})\n"
)
EMBEDDING = (
    "def answer(request):\n"
    '    body = b\'{"object":"list","model":"m","data":[{"object":"embedding",'
    '"index":0,"embedding":[0.5]}],"usage":{"prompt_tokens":1,"total_tokens":1}}\'\n'
    "    return httpx.Response(200, content=body, headers={'content-type': 'application/json'})\n"
)

CASES = {
    "raw httpx": (
        "import httpx",
        "import httpx\n" + ANSWER + "c = httpx.Client(transport=httpx.MockTransport(answer))\n"
        "c.post('https://x.local/v1/models/m/predict', json={'inputs': [{}]}).json()",
    ),
    "aiaas": (
        "import aiaas",
        "import httpx, aiaas\n" + ANSWER + "c = aiaas.Client(api_key='aiaas_sk_x', "
        "base_url='https://x.local', encryption='off', "
        "http_client=httpx.Client(transport=httpx.MockTransport(answer)))\n"
        "c.models.predict('m', inputs=[{}])",
    ),
    "openai": (
        "import openai",
        "import httpx, openai\n" + EMBEDDING + "c = openai.OpenAI(api_key='x', "
        "base_url='https://x.local/v1', "
        "http_client=httpx.Client(transport=httpx.MockTransport(answer)))\n"
        "c.embeddings.create(model='m', input=['a'])",
    ),
}


def run_ms(code: str) -> float:
    """Wall time of ``code`` in a new interpreter, less the interpreter's own start."""
    script = f"import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    print(f"median of {runs} fresh interpreters, ms")
    print(f"  {'package':<12} {'import':>8} {'import + client + first call':>30}")
    results: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in CASES}
    started = time.perf_counter()
    for _ in range(runs):  # interleaved, so all see the same machine load
        for name, (imported, first_call) in CASES.items():
            results[name][0].append(run_ms(imported))
            results[name][1].append(run_ms(first_call))
    for name, (imports, firsts) in results.items():
        print(f"  {name:<12} {statistics.median(imports):8.1f} {statistics.median(firsts):30.1f}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
