"""Run every authentication scenario with all logging on, then search every log line
and every exception text for the secret values involved. None may appear.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import aiaas
from aiaas import Secret
from aiaas_mock import FaultConfig, MockServer, ServerConfig
from tests.helpers import FAST_RETRIES, healthy_run

LOGGERS = [
    "",
    "aiaas",
    "aiaas_mock",
    "httpx",
    "httpcore",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "tenacity",
    "asyncio",
]


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    handler = Everything()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_no_secret_in_any_log_line_or_exception(all_logs: Everything, tmp_path: Path) -> None:
    secrets: list[Secret] = []
    texts: list[str] = []

    def expect_error(action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as error:
            texts.extend([str(error), repr(error), *traceback.format_exception(error)])
        else:
            raise AssertionError("the scenario should have failed")

    config = ServerConfig(
        faults=FaultConfig(rate=0.3, seed=5, retry_after_ms=1), auth_failure_limit=3
    )
    with MockServer(config) as server:
        base = server.base_url
        admin = server.admin
        tenant = admin.create_tenant("leaks")
        key = admin.issue_key(tenant.id)
        narrow = admin.issue_key(tenant.id, {"models:read"})
        revoked = admin.issue_key(tenant.id)
        admin.revoke_key(revoked.id)
        client = admin.create_client(tenant.id, {"models:read", "inference"})
        secrets += [
            key.secret,
            narrow.secret,
            revoked.secret,
            client.secret,
            Secret(server.api_key),
        ]
        creds = aiaas.ClientCredentials(client.id, client.secret, scopes=["models:read"])
        wrong = aiaas.ClientCredentials(client.id, "aiaas_cs_wrong-guess-of-the-secret")
        secrets += wrong.secrets()

        def sdk(**options: Any) -> aiaas.Client:
            return aiaas.Client(base_url=base, max_retries=6, retry_policy=FAST_RETRIES, **options)

        with sdk(api_key=key.secret) as ok:
            for _ in range(10):
                ok.models.predict("quality-logreg", inputs=[healthy_run()])
        with sdk(credentials=creds) as oauth:
            for _ in range(5):
                oauth.models.retrieve("quality-logreg")
            secrets += creds.secrets()
            admin.expire_tokens(client.id)
            oauth.models.retrieve("quality-logreg")
            secrets += creds.secrets()
            expect_error(lambda: oauth.models.predict("quality-logreg", inputs=[healthy_run()]))
        for bad in (revoked.secret.reveal(), "aiaas_sk_guess-guess", "aiaas_at_guess"):
            with sdk(api_key=bad) as refused:
                expect_error(lambda c=refused: c.models.retrieve("quality-logreg"))  # type: ignore[misc]
            secrets.append(Secret(bad))
        with sdk(credentials=wrong) as refused:
            expect_error(lambda: refused.models.retrieve("quality-logreg"))
        with sdk(api_key=narrow.secret) as limited:
            expect_error(lambda: limited.models.predict("quality-logreg", inputs=[{}]))
        admin.revoke_client(client.id)
        with sdk(credentials=creds) as gone:
            expect_error(lambda: gone.models.retrieve("quality-logreg"))

    profile = tmp_path / "credentials"
    profile.write_text(f'[default]\napi_key = "{key.secret.reveal()}"\nbroken = [\n')
    os.chmod(profile, 0o600)
    os.environ["AIAAS_CREDENTIALS_FILE"] = str(profile)  # restored by the autouse fixture
    expect_error(aiaas.Client)
    expect_error(lambda: aiaas.Client(base_url="http://10.0.0.1", api_key=key.secret))

    haystack = "\n".join(all_logs.lines + texts)
    assert len(all_logs.lines) > 50, "the scenarios should have logged plenty"
    assert "Retrying" in haystack  # the injected faults were retried, and logged
    assert "too_many_auth_failures" in haystack  # the guess limiter was reached
    assert len(texts) >= 3 * 7
    for secret in secrets:
        value = secret.reveal()
        assert value not in haystack, f"a secret of {len(value)} characters leaked"
