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

from servers import start_mock

import aiaas

TEXTS = [f"replaced seal on pump {n} - hyd leak at flange" for n in range(64)]


def soak(calls: int, keyed: bool) -> list[float]:
    server = start_mock(None)
    base_url, api_key = server.base_url, server.api_key
    samples = []
    try:
        with aiaas.Client(api_key=api_key, base_url=base_url, encryption="off") as client:
            client.embeddings.create(model="maintenance-word2vec", input=TEXTS)  # warm up
            samples.append(server.rss_mb())
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
                    samples.append(server.rss_mb())
    finally:
        server.stop()
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
