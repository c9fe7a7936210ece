"""What end-to-end encryption costs.

* Per call, small payload: sealing and opening one request and its answer with
  each HPKE suite (a fresh response key per call, as the SDK does), next to plain
  AES-256-GCM with a fixed key from the same library; then whole SDK calls over
  loopback with encryption off and on.
* Bulk: sealing and opening 1 MB and 8 MB bodies, MB/s, next to AES-256-GCM.

Usage: python benchmarks/bench_encryption.py [--calls N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from common import RUN
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import aiaas
from aiaas.envelope import (
    HYBRID_SUITE,
    SUITES,
    X25519_SUITE,
    EnvelopeHeader,
    open_request,
    open_response,
    seal_request,
    seal_response,
)
from aiaas_mock import MockServer

SMALL = b'{"inputs":[' + str(RUN).encode() + b'],"parameters":{}}'
TARGET = "/v1/models/quality-logreg/predict"


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median microseconds per call."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - started) / 1000.0)
    return statistics.median(samples)


def hpke_round_trip(suite: str, body: bytes) -> Callable[[], bytes]:
    spec = SUITES[suite]
    server = spec.generate()
    server_public = server.public_bytes

    def round_trip() -> bytes:
        response_key = spec.generate()  # the client makes one per request
        header = EnvelopeHeader(
            suite, int(time.time()), "req_bench00000", response_key.public_bytes, kid="k_1"
        )
        sealed = seal_request(body, header, server_public, "POST", TARGET)
        opened = open_request(sealed, header, server, "POST", TARGET)
        answer = seal_response(opened, header, "POST", TARGET, 200, "application/json")
        return open_response(answer, header, response_key, "POST", TARGET, 200, "application/json")

    return round_trip


def aes_round_trip(body: bytes) -> Callable[[], bytes]:
    aead = AESGCM(AESGCM.generate_key(bit_length=256))

    def round_trip() -> bytes:
        nonce = os.urandom(12)
        opened = aead.decrypt(nonce, aead.encrypt(nonce, body, None), None)
        nonce = os.urandom(12)
        return aead.decrypt(nonce, aead.encrypt(nonce, opened, None), None)

    return round_trip


def per_call(calls: int) -> None:
    print(f"per call, {len(SMALL)}-byte body, request and answer (median µs)")
    aes = timed(aes_round_trip(SMALL), calls)
    print(f"  {'AES-256-GCM, fixed key':<40} {aes:9.1f}   1.0x")
    for suite in (X25519_SUITE, HYBRID_SUITE):
        cost = timed(hpke_round_trip(suite, SMALL), calls)
        print(f"  {'HPKE ' + suite:<40} {cost:9.1f} {cost / aes:6.1f}x")


def end_to_end(calls: int) -> None:
    print(f"\nSDK predict over loopback, {calls} calls each, interleaved (median µs)")
    with MockServer() as server:
        clients = {
            "encryption off": aiaas.Client(
                api_key=server.api_key, base_url=server.base_url, encryption="off"
            ),
            "x25519": aiaas.Client(
                api_key=server.api_key, base_url=server.base_url, encryption="required"
            ),
            "mlkem768x25519": aiaas.Client(
                api_key=server.api_key,
                base_url=server.base_url,
                encryption="required",
                encryption_suite=HYBRID_SUITE,
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in clients}
        for i in range(calls + 20):
            for name, client in clients.items():
                started = time.perf_counter_ns()
                client.models.predict("quality-logreg", inputs=[RUN])
                if i >= 20:
                    samples[name].append((time.perf_counter_ns() - started) / 1000.0)
        base = statistics.median(samples["encryption off"])
        for name, values in samples.items():
            median = statistics.median(values)
            print(f"  {name:<40} {median:9.1f}   +{median - base:7.1f} µs")
        for client in clients.values():
            client.close()


def bulk() -> None:
    print("\nbulk, one body sealed and opened (MB/s; ratio to AES-256-GCM)")
    for size in (1_000_000, 8_000_000):
        body = os.urandom(size)
        aes_seal, aes_open = aes_rates(body)
        print(
            f"  {size // 1_000_000} MB  {'AES-256-GCM':<38} seal {aes_seal:6.0f}  "
            f"open {aes_open:6.0f}"
        )
        for suite in (X25519_SUITE, HYBRID_SUITE):
            seal, opened = hpke_rates(suite, body)
            print(
                f"  {size // 1_000_000} MB  {'HPKE ' + suite:<38} seal {seal:6.0f}  "
                f"open {opened:6.0f}  ({seal / aes_seal:.2f}x, {opened / aes_open:.2f}x)"
            )


def aes_rates(body: bytes) -> tuple[float, float]:
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, body, None)
    megabytes = len(body) / 1e6
    return (
        megabytes / timed(lambda: aead.encrypt(nonce, body, None), 5) * 1e6,
        megabytes / timed(lambda: aead.decrypt(nonce, sealed, None), 5) * 1e6,
    )


def hpke_rates(suite: str, body: bytes) -> tuple[float, float]:
    spec = SUITES[suite]
    server = spec.generate()
    header = EnvelopeHeader(
        suite, int(time.time()), "req_bench00000", spec.generate().public_bytes, kid="k_1"
    )
    sealed = seal_request(body, header, server.public_bytes, "POST", TARGET)
    megabytes = len(body) / 1e6
    seal = timed(lambda: seal_request(body, header, server.public_bytes, "POST", TARGET), 5)
    opened = timed(lambda: open_request(sealed, header, server, "POST", TARGET), 5)
    return megabytes / seal * 1e6, megabytes / opened * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    calls = parser.parse_args().calls
    per_call(calls)
    end_to_end(calls)
    bulk()


if __name__ == "__main__":
    main()
