"""What an integrator's own project needs, done as the docs say: the async fixture
in a fresh project, and the SDK calling an app in process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import aiaas
from aiaas_mock import ServerConfig, create_app

ASYNC_TEST = """
import pytest

{marker}async def test_my_line(aiaas_async_client):
    card = await aiaas_async_client.models.retrieve("quality-logreg")
    assert card.metrics["roc_auc"] > 0.85
"""


@pytest.mark.parametrize(
    ("config", "marker"),
    [
        ('asyncio_mode = "auto"\nasyncio_default_fixture_loop_scope = "function"\n', ""),
        ('asyncio_default_fixture_loop_scope = "function"\n', "@pytest.mark.asyncio\n"),
    ],
    ids=["auto-mode", "marked"],
)
def test_the_async_fixture_in_a_fresh_project(tmp_path: Path, config: str, marker: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.pytest.ini_options]\n{config}")
    (tmp_path / "test_line.py").write_text(ASYNC_TEST.format(marker=marker))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "warning" not in done.stdout.lower()
    # What the session's server loads is shown while it starts.
    assert "aiaas-mock: quality-logreg: read its card in" in done.stdout


async def test_the_sdk_calls_an_app_in_process() -> None:
    app = create_app(ServerConfig())
    services = app.state.services
    key = services.store.tenants.issue_key(services.store.tenants.create("in-process").id)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http,
        aiaas.AsyncClient(
            api_key=key.secret.reveal(), base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        card = await client.models.retrieve("quality-logreg")
    assert card.id == "quality-logreg"
    services.store.close()
