"""OAuth client credentials against the live server: caching, single-flight renewal,
revocation; and HTTPS with the server's generated CA.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterator

import pytest

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.store.oauth import IssuedClient
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.conftest import LiveTenant
from tests.helpers import FAST_RETRIES, collect, healthy_run, resolve


def oauth_client(server: MockServer, scopes: set[str] | None = None) -> IssuedClient:
    tenant = server.admin.create_tenant(f"oauth-{time.monotonic_ns()}")
    return server.admin.create_client(tenant.id, scopes or {"models:read", "inference"})


def credentials_of(client: IssuedClient, **options: object) -> aiaas.ClientCredentials:
    return aiaas.ClientCredentials(client.id, client.secret.reveal(), **options)  # type: ignore[arg-type]


async def test_calls_with_client_credentials(live: LiveTenant) -> None:
    client = oauth_client(live.server)
    sdk = live.client(api_key=None, credentials=credentials_of(client))
    assert [m.id for m in await collect(sdk.models.list())] == system_model_ids()
    for _ in range(3):
        await resolve(sdk.models.predict("quality-logreg", inputs=[healthy_run()]))
    assert live.server.admin.tokens_issued(client.id) == 1


async def test_a_revoked_client_fails_clearly(live: LiveTenant) -> None:
    client = oauth_client(live.server)
    sdk = live.client(api_key=None, credentials=credentials_of(client))
    await resolve(sdk.models.retrieve("quality-logreg"))
    live.server.admin.revoke_client(client.id)
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(sdk.models.retrieve("quality-logreg"))
    assert caught.value.code == "invalid_client"


async def test_scopes_limit_the_token(live: LiveTenant) -> None:
    client = oauth_client(live.server)
    sdk = live.client(api_key=None, credentials=credentials_of(client, scopes=["models:read"]))
    await resolve(sdk.models.retrieve("quality-logreg"))
    with pytest.raises(aiaas.PermissionDeniedError):
        await resolve(sdk.models.predict("quality-logreg", inputs=[healthy_run()]))


def test_fifty_threads_with_an_expired_token_make_one_token_request(
    aiaas_mock: MockServer,
) -> None:
    client = oauth_client(aiaas_mock)
    with aiaas.Client(
        credentials=credentials_of(client), base_url=aiaas_mock.base_url, retry_policy=FAST_RETRIES
    ) as sdk:
        sdk.models.retrieve("quality-logreg")
        assert aiaas_mock.admin.expire_tokens(client.id) == 1
        barrier = threading.Barrier(50)
        failures: list[BaseException] = []

        def call() -> None:
            try:
                barrier.wait()
                sdk.models.retrieve("quality-logreg")
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=call) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert aiaas_mock.admin.tokens_issued(client.id) == 2


async def test_two_hundred_tasks_with_an_expired_token_make_one_token_request(
    aiaas_mock: MockServer,
) -> None:
    client = oauth_client(aiaas_mock)
    async with aiaas.AsyncClient(
        credentials=credentials_of(client), base_url=aiaas_mock.base_url, retry_policy=FAST_RETRIES
    ) as sdk:
        await sdk.models.retrieve("quality-logreg")
        aiaas_mock.admin.expire_tokens(client.id)
        results = await asyncio.gather(*(sdk.models.retrieve("quality-logreg") for _ in range(200)))
    assert len(results) == 200
    assert aiaas_mock.admin.tokens_issued(client.id) == 2


async def test_threads_and_tasks_together_share_one_renewal(aiaas_mock: MockServer) -> None:
    client = oauth_client(aiaas_mock)
    creds = credentials_of(client)
    base = aiaas_mock.base_url
    with aiaas.Client(credentials=creds, base_url=base) as sync_sdk:
        sync_sdk.models.retrieve("quality-logreg")
        aiaas_mock.admin.expire_tokens(client.id)
        async with aiaas.AsyncClient(credentials=creds, base_url=base) as async_sdk:
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(
                    loop.run_in_executor(None, sync_sdk.models.retrieve, "quality-logreg")
                    for _ in range(20)
                ),
                *(async_sdk.models.retrieve("quality-logreg") for _ in range(50)),
            )
    assert aiaas_mock.admin.tokens_issued(client.id) == 2


@pytest.fixture(scope="module")
def https_server() -> Iterator[MockServer]:
    with MockServer(tls=True) as server:
        yield server


async def test_https_with_the_generated_ca(https_server: MockServer, make_client: object) -> None:
    assert https_server.base_url.startswith("https://")
    for verify in (
        https_server.ca_path,
        str(https_server.ca_path),
        ssl.create_default_context(cafile=str(https_server.ca_path)),
    ):
        sdk = make_client(
            api_key=https_server.api_key,  # type: ignore[operator]
            base_url=https_server.base_url,
            verify=verify,
        )
        assert (await resolve(sdk.models.retrieve("regime-kmeans"))).id == "regime-kmeans"


async def test_https_without_the_ca_fails_at_once(
    https_server: MockServer, make_client: object
) -> None:
    sdk = make_client(
        api_key=https_server.api_key,
        base_url=https_server.base_url,  # type: ignore[operator]
        max_retries=3,
        retry_policy=aiaas.RetryPolicy(initial_delay=5),
    )
    started = time.monotonic()
    with pytest.raises(aiaas.APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        await resolve(sdk.models.retrieve("regime-kmeans"))
    assert time.monotonic() - started < 5  # not retried


def test_oauth_over_https(https_server: MockServer) -> None:
    client = oauth_client(https_server)
    with aiaas.Client(
        credentials=credentials_of(client),
        base_url=https_server.base_url,
        verify=https_server.ca_path,
    ) as sdk:
        assert sdk.models.retrieve("quality-logreg").owner == "system"
    assert https_server.admin.tokens_issued(client.id) == 1
