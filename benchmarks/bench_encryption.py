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

import httpx
from common import RUN
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from servers import mock_server

import aiaas
from aiaas._encryption import Encryption, opened_response
from aiaas.envelope import (
    HEADER,
    HYBRID_SUITE,
    MEDIA_TYPE,
    SUITES,
    X25519_SUITE,
    EnvelopeHeader,
    open_request,
    open_response,
    public_key_text,
    response_info,
    seal_request,
    seal_response,
)
from aiaas.types.encryption import EncryptionKey

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


def client_share(calls: int) -> None:
    """The SDK's own work per encrypted call beside the HPKE operations it must do."""
    spec = SUITES[X25519_SUITE]
    server = spec.generate()
    server_public = spec.public_key(server.public_bytes)
    encryption = Encryption("required")
    key = EncryptionKey(
        kid="k_1",
        suite=X25519_SUITE,
        public_key=public_key_text(server.public_bytes),
        expires_at=int(time.time()) + 3600,
        created_at=0,
    )
    encryption.accept_keys([key])
    sealed = encryption.seal("POST", TARGET, SMALL, "application/json")
    assert sealed is not None
    headers, _, attempt = sealed
    answer = seal_response(SMALL, attempt.header, "POST", TARGET, 200, "application/json")
    response = httpx.Response(
        200,
        headers={"content-type": MEDIA_TYPE, HEADER: headers[HEADER]},
        content=answer,
        request=httpx.Request("POST", "https://bench.local" + TARGET),
    )
    response_private = attempt.response_key.private_key
    info = response_info(attempt.header, "POST", TARGET, 200, "application/json")

    def hpke_seal() -> bytes:
        spec.generate()  # the one-time response key
        return spec.hpke.encrypt(SMALL, server_public, info=b"request")

    sdk_seal = timed(lambda: encryption.seal("POST", TARGET, SMALL, "application/json"), calls)
    sdk_open = timed(lambda: opened_response(response, attempt), calls)
    floor_seal = timed(hpke_seal, calls)
    floor_open = timed(lambda: spec.hpke.decrypt(answer, response_private, info=info), calls)
    print("\nclient side of one x25519 call, in a loop (median µs)")
    print(f"  {'':<28} {'SDK':>8} {'HPKE alone':>11} {'SDK work':>9}")
    for name, sdk, floor in (
        ("seal the request", sdk_seal, floor_seal),
        ("open the answer", sdk_open, floor_open),
    ):
        print(f"  {name:<28} {sdk:8.1f} {floor:11.1f} {sdk - floor:+9.1f}")


def end_to_end(calls: int) -> None:
    print(
        f"\nSDK predict over loopback, {calls} calls each, interleaved, server in its own"
        "\nprocess (median µs per call: client CPU, wall)"
    )
    with mock_server() as server:
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
        cpu: dict[str, list[float]] = {name: [] for name in clients}
        wall: dict[str, list[float]] = {name: [] for name in clients}
        for i in range(calls + 20):
            for name, client in clients.items():
                started, cpu_started = time.perf_counter_ns(), time.thread_time_ns()
                client.models.predict("quality-logreg", inputs=[RUN])
                if i >= 20:
                    cpu[name].append((time.thread_time_ns() - cpu_started) / 1000.0)
                    wall[name].append((time.perf_counter_ns() - started) / 1000.0)
        base_cpu = statistics.median(cpu["encryption off"])
        base_wall = statistics.median(wall["encryption off"])
        print(f"  {'':<20} {'client CPU':>10} {'added':>8} {'wall':>9} {'added':>8}")
        for name in clients:
            c, w = statistics.median(cpu[name]), statistics.median(wall[name])
            print(f"  {name:<20} {c:10.1f} {c - base_cpu:+8.1f} {w:9.1f} {w - base_wall:+8.1f}")
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
    client_share(calls)
    end_to_end(calls)
    bulk()


if __name__ == "__main__":
    main()
