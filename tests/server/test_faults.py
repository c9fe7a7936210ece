"""Fault injection: choices, determinism, and the answers it gives."""

from __future__ import annotations

import collections

import pytest
from starlette.datastructures import Headers

from aiaas_mock import FaultConfig, ServerConfig
from aiaas_mock.api.problems import ProblemError
from aiaas_mock.middleware.faults import FaultInjector, parse_fault_header
from tests.server.conftest import make_harness
from tests.server.test_problems import assert_problem


def test_off_by_default() -> None:
    injector = FaultInjector(FaultConfig())
    assert all(injector.choose(Headers()) is None for _ in range(1000))


def test_rate_and_kinds_are_respected() -> None:
    injector = FaultInjector(FaultConfig(rate=0.3, kinds=("rate_limit", "drop"), seed=7))
    counts = collections.Counter(injector.choose(Headers()) for _ in range(10_000))
    assert set(counts) == {None, "rate_limit", "drop"}
    assert 0.27 < 1 - counts[None] / 10_000 < 0.33


def test_a_seed_makes_the_sequence_repeatable() -> None:
    def sequence(seed: int) -> list[str | None]:
        injector = FaultInjector(FaultConfig(rate=0.5, seed=seed))
        return [injector.choose(Headers()) for _ in range(200)]

    assert sequence(3) == sequence(3)
    assert sequence(3) != sequence(4)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("drop", ("drop", float("inf"))),
        (" unavailable ; attempts=2", ("unavailable", 2)),
        ("latency;attempts=0", ("latency", 0)),
    ],
)
def test_header_parsing(value: str, expected: tuple[str, float]) -> None:
    assert parse_fault_header(value) == expected


@pytest.mark.parametrize("value", ["", "boom", "drop; tries=2", "drop; attempts=x"])
def test_bad_headers(value: str) -> None:
    with pytest.raises(ProblemError):
        parse_fault_header(value)


def test_header_counts_attempts() -> None:
    injector = FaultInjector(FaultConfig(header_enabled=True))
    asked = {"x-aiaas-fault": "unavailable; attempts=2"}
    for count, fault in (("0", "unavailable"), ("1", "unavailable"), ("2", None)):
        headers = Headers({**asked, "x-aiaas-retry-count": count})
        assert injector.choose(headers, authentic=True) == fault


def test_the_header_is_off_by_default_and_heard_only_from_valid_credentials() -> None:
    assert FaultInjector(FaultConfig()).choose(Headers({"x-aiaas-fault": "drop"}), True) is None
    enabled = FaultInjector(FaultConfig(header_enabled=True))
    assert enabled.choose(Headers({"x-aiaas-fault": "drop"}), authentic=False) is None
    for harness in make_harness(ServerConfig(faults=FaultConfig(header_enabled=True))):
        asked = {"X-Aiaas-Fault": "unavailable"}
        for headers in ({}, {"Authorization": "Bearer aiaas_sk_wrong"}):
            anonymous = harness.http.get("/v1/models", headers={**asked, **headers})
            assert anonymous.status_code == 401
        assert (
            harness.http.get("/v1/models", headers={**asked, **harness.auth()}).status_code == 503
        )
    for harness in make_harness():
        asked = {"X-Aiaas-Fault": "unavailable", **harness.auth()}
        assert harness.http.get("/v1/models", headers=asked).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("rate_limit", 429, "rate_limited"), ("unavailable", 503, "service_unavailable")],
)
def test_refusals_carry_retry_after(kind: str, status: int, code: str) -> None:
    faults = FaultConfig(retry_after_ms=40, header_enabled=True)
    for harness in make_harness(ServerConfig(faults=faults)):
        response = harness.http.get("/v1/models", headers={**harness.auth(), "X-Aiaas-Fault": kind})
        assert_problem(response, status, code)
        assert response.headers["retry-after-ms"] == "40"
        assert response.headers["retry-after"] == "1"


def test_faults_spare_routes_outside_v1() -> None:
    for harness in make_harness(ServerConfig(faults=FaultConfig(rate=1.0, kinds=("unavailable",)))):
        assert harness.http.get("/healthz").status_code == 200
        assert harness.http.get("/v1/models", headers=harness.auth()).status_code == 503


def test_invalid_config() -> None:
    with pytest.raises(ValueError, match="rate"):
        FaultConfig(rate=1.5)
    with pytest.raises(ValueError, match="kinds"):
        FaultConfig(kinds=("meteor",))  # type: ignore[arg-type]
