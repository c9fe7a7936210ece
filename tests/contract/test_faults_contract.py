"""Retries against a real server that injects faults: every call still succeeds once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import aiaas
from aiaas_mock import FaultConfig, MockServer, ServerConfig
from aiaas_mock.zoo.registry import system_model_ids
from tests.helpers import CHAT_INSTALLED, FAST_RETRIES, healthy_run

CALLS = 40


@pytest.fixture(scope="module")
def faulty() -> Iterator[MockServer]:
    config = ServerConfig(faults=FaultConfig(rate=0.3, seed=2026, latency=0.02, retry_after_ms=5))
    with MockServer(config) as server:
        yield server


def new_tenant(server: MockServer, name: str) -> tuple[str, str]:
    tenant = server.admin.create_tenant(name)
    return tenant.id, server.admin.issue_key(tenant.id).secret.reveal()


def run(n: int) -> dict[str, object]:
    return healthy_run(tool_wear=float(n))


def test_sync_calls_all_succeed_and_run_once(faulty: MockServer) -> None:
    tenant_id, key = new_tenant(faulty, "sync-faults")
    before = dict(faulty.services.faults.injected)
    with aiaas.Client(
        api_key=key, base_url=faulty.base_url, max_retries=5, retry_policy=FAST_RETRIES
    ) as client:
        for n in range(CALLS):
            prediction = client.models.predict("quality-logreg", inputs=[run(n)])
            assert prediction.outputs[0]["prediction"] == "pass"
            assert len(list(client.models.list(limit=2))) == len(system_model_ids())
    injected = {k: v - before.get(k, 0) for k, v in faulty.services.faults.injected.items()}
    assert sum(injected.values()) >= 0.15 * 3 * CALLS, injected
    assert injected.get("drop_after", 0) > 0, injected
    assert faulty.admin.prediction_count(tenant_id) == CALLS


async def test_async_calls_all_succeed_and_run_once(faulty: MockServer) -> None:
    tenant_id, key = new_tenant(faulty, "async-faults")
    async with aiaas.AsyncClient(
        api_key=key, base_url=faulty.base_url, max_retries=5, retry_policy=FAST_RETRIES
    ) as client:
        predictions = await asyncio.gather(
            *(client.models.predict("quality-logreg", inputs=[run(n)]) for n in range(CALLS))
        )
        models = [m.id async for m in client.models.list(limit=2)]
    assert len({p.id for p in predictions}) == CALLS
    assert models == system_model_ids()
    assert faulty.admin.prediction_count(tenant_id) == CALLS


@pytest.fixture(scope="module")
def on_request() -> Iterator[MockServer]:
    """A server that honours the X-Aiaas-Fault header of authenticated callers."""
    with MockServer(ServerConfig(faults=FaultConfig(header_enabled=True))) as server:
        yield server


@pytest.mark.parametrize("kind", ["unavailable", "rate_limit", "drop", "drop_after", "latency"])
def test_each_requested_fault_is_survived_by_retrying(on_request: MockServer, kind: str) -> None:
    tenant_id, key = new_tenant(on_request, f"asked-{kind}")
    headers = {"X-Aiaas-Fault": f"{kind}; attempts=2"}
    with aiaas.Client(
        api_key=key,
        base_url=on_request.base_url,
        max_retries=2,
        default_headers=headers,
        retry_policy=FAST_RETRIES,
    ) as client:
        client.models.predict("quality-logreg", inputs=[healthy_run()])
    assert on_request.admin.prediction_count(tenant_id) == 1


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("unavailable", aiaas.InternalServerError),
        ("rate_limit", aiaas.RateLimitError),
        ("drop", aiaas.APIConnectionError),
    ],
)
def test_too_few_retries_raise_the_last_failure(
    on_request: MockServer, kind: str, error: type[aiaas.AIaaSError]
) -> None:
    headers = {"X-Aiaas-Fault": f"{kind}; attempts=3"}
    with (
        aiaas.Client(
            api_key=on_request.api_key,
            base_url=on_request.base_url,
            max_retries=2,
            default_headers=headers,
            retry_policy=FAST_RETRIES,
        ) as client,
        pytest.raises(error),
    ):
        client.models.retrieve("quality-logreg")


def test_latency_beyond_the_timeout_is_a_timeout(aiaas_mock: MockServer) -> None:
    config = ServerConfig(faults=FaultConfig(latency=0.5, header_enabled=True))
    with (
        MockServer(config) as slow,
        aiaas.Client(
            api_key=slow.api_key,
            base_url=slow.base_url,
            timeout=0.1,
            max_retries=1,
            default_headers={"X-Aiaas-Fault": "latency"},
            retry_policy=FAST_RETRIES,
        ) as client,
        pytest.raises(aiaas.APITimeoutError),
    ):
        client.models.retrieve("quality-logreg")


@pytest.mark.skipif(not CHAT_INSTALLED, reason="the chat extra is not installed")
def test_streamed_chats_are_retried_until_their_answer_starts(faulty: MockServer) -> None:
    _, key = new_tenant(faulty, "stream-faults")
    before = sum(faulty.services.faults.injected.values())
    texts = set()
    with aiaas.Client(
        api_key=key, base_url=faulty.base_url, max_retries=8, retry_policy=FAST_RETRIES
    ) as client:
        for _ in range(12):
            with client.chat.completions.create(
                model="smollm2-135m-instruct",
                messages=[{"role": "user", "content": "pump 3 leaks"}],
                max_completion_tokens=4,
                temperature=0,
                stream=True,
            ) as stream:
                texts.add(stream.get_final_completion().choices[0].message.content)
    assert sum(faulty.services.faults.injected.values()) > before  # faults were met
    assert len(texts) == 1  # and every answer came whole
