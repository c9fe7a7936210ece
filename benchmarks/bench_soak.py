"""Server memory under a long run of keyed calls: flat, not growing with each
stored answer.

Runs the mock server in its own process (in-memory database, the default) and
sends embedding calls of 64 texts through the SDK, which puts an
``Idempotency-Key`` on every POST, so the server stores every answer (about
42 KB each) up to its byte budget (``idempotency_max_bytes``, 32 MB). Prints the
server's resident memory every tenth of the run, then the same number of calls
without a key, as the baseline.

Usage: python benchmarks/bench_soak.py [--calls N]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

import aiaas

KEY_LINE = re.compile(r"Development API key .*: (\S+)")
TEXTS = [f"replaced seal on pump {n} - hyd leak at flange" for n in range(64)]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start() -> tuple[subprocess.Popen[str], str, str]:
    command = [sys.executable, "-m", "aiaas_mock", "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    base_url = api_key = ""
    for line in process.stdout:
        if line.startswith("aiaas mock server"):
            base_url = line.split(" on ")[1].strip()
        if match := KEY_LINE.search(line):
            api_key = match.group(1)
            break
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, base_url, api_key


def soak(calls: int, keyed: bool) -> list[float]:
    process, base_url, api_key = start()
    samples = []
    try:
        with aiaas.Client(api_key=api_key, base_url=base_url, encryption="off") as client:
            client.embeddings.create(model="maintenance-word2vec", input=TEXTS)  # warm up
            samples.append(rss_mb(process.pid))
            for n in range(1, calls + 1):
                # The SDK keys every POST; the same text body without a key is
                # what "no key" measures (an explicit empty header is refused).
                if keyed:
                    client.embeddings.create(model="maintenance-word2vec", input=TEXTS)
                else:
                    client._http.post(
                        f"{base_url}/v1/embeddings",
                        json={"model": "maintenance-word2vec", "input": TEXTS},
                        headers={"Authorization": f"Bearer {api_key}"},
                    ).raise_for_status()
                if n % max(1, calls // 10) == 0:
                    samples.append(rss_mb(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=20)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    print(f"{args.calls} embedding calls of 64 texts; server RSS in MB at each tenth")
    for name, keyed in (("with key (SDK)", True), ("without key", False)):
        samples = soak(args.calls, keyed)
        trail = " ".join(f"{s:.0f}" for s in samples)
        growth = samples[-1] - samples[0]
        print(f"{name:<15} {trail}   growth {growth:+.1f} MB")


if __name__ == "__main__":
    main()
