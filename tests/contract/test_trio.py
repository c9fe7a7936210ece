"""The async client under trio, against the live server: calls, sealed payloads,
pagination, retries, and one token renewal shared by trio tasks and threads."""

from __future__ import annotations

import time

import httpx
import pytest
import respx
import trio

import aiaas
from aiaas_mock import MockServer
from tests.contract.test_credentials_contract import credentials_of, oauth_client
from tests.helpers import BASE_URL, CARD, CHAT_INSTALLED, FAST_RETRIES, healthy_run


def test_calls_sealed_payloads_and_pages_under_trio(aiaas_mock: MockServer) -> None:
    tenant = aiaas_mock.admin.create_tenant(f"trio-{time.monotonic_ns()}")
    key = aiaas_mock.admin.issue_key(tenant.id).secret.reveal()

    async def main() -> None:
        async with aiaas.AsyncClient(
            api_key=key, base_url=aiaas_mock.base_url, encryption="required"
        ) as client:
            prediction = await client.models.predict("quality-logreg", inputs=[healthy_run()])
            assert prediction.outputs[0]["prediction"] == "pass"
            ids = [model.id async for model in client.models.list(limit=3)]
            assert "quality-logreg" in ids
            assert len(ids) > 3  # more than one page

    trio.run(main)


def test_trio_tasks_and_threads_share_one_token_renewal(aiaas_mock: MockServer) -> None:
    client = oauth_client(aiaas_mock)
    credentials = credentials_of(client)
    base = aiaas_mock.base_url

    async def main() -> None:
        with aiaas.Client(credentials=credentials, base_url=base) as sync_sdk:
            sync_sdk.models.retrieve("quality-logreg")
            aiaas_mock.admin.expire_tokens(client.id)
            async with (
                aiaas.AsyncClient(credentials=credentials, base_url=base) as async_sdk,
                trio.open_nursery() as nursery,
            ):
                for _ in range(50):
                    nursery.start_soon(async_sdk.models.retrieve, "quality-logreg")

                async def in_a_thread() -> None:
                    await trio.to_thread.run_sync(sync_sdk.models.retrieve, "quality-logreg")

                for _ in range(10):
                    nursery.start_soon(in_a_thread)

    trio.run(main)
    assert aiaas_mock.admin.tokens_issued(client.id) == 2


def test_trio_tasks_wait_for_the_first_token_together(aiaas_mock: MockServer) -> None:
    client = oauth_client(aiaas_mock)

    async def main() -> None:
        async with (
            aiaas.AsyncClient(
                credentials=credentials_of(client), base_url=aiaas_mock.base_url
            ) as sdk,
            trio.open_nursery() as nursery,
        ):
            for _ in range(20):
                nursery.start_soon(sdk.models.retrieve, "quality-logreg")

    trio.run(main)
    assert aiaas_mock.admin.tokens_issued(client.id) == 1


def test_retries_wait_with_trio() -> None:
    async def main() -> None:
        with respx.mock:
            route = respx.get(f"{BASE_URL}/v1/models/m").mock(
                side_effect=[httpx.Response(503), httpx.Response(200, json=CARD)]
            )
            async with aiaas.AsyncClient(
                api_key="k", base_url=BASE_URL, encryption="off", retry_policy=FAST_RETRIES
            ) as client:
                assert (await client.models.retrieve("m")).id == "m"
            assert route.call_count == 2

    trio.run(main)


@pytest.mark.skipif(not CHAT_INSTALLED, reason="the chat extra is not installed")
def test_sealed_chat_streams_under_trio(aiaas_mock: MockServer) -> None:
    tenant = aiaas_mock.admin.create_tenant(f"trio-chat-{time.monotonic_ns()}")
    key = aiaas_mock.admin.issue_key(tenant.id).secret.reveal()

    async def main() -> None:
        async with aiaas.AsyncClient(
            api_key=key, base_url=aiaas_mock.base_url, encryption="required"
        ) as client:
            texts = []
            for _ in range(2):
                stream = await client.chat.completions.create(
                    model="smollm2-135m-instruct",
                    messages=[{"role": "user", "content": "pump 3 leaks"}],
                    max_completion_tokens=6,
                    temperature=0,
                    stream=True,
                )
                async with stream:
                    final = await stream.get_final_completion()
                texts.append(final.choices[0].message.content)
            assert texts[0]
            assert texts[0] == texts[1]

    trio.run(main)
