"""pytest fixtures for contract tests against a local aiaas mock server.

pytest loads this plugin wherever aiaas is installed; the fixtures need the
``mock`` extra. ``aiaas_mock`` is one server per test session; override the
``aiaas_mock_config`` fixture to configure it (faults, seeds, database).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import aiaas

    from .config import ServerConfig
    from .tools.runner import MockServer

try:
    import pytest_asyncio
except ImportError:  # async fixtures need pytest-asyncio; the sync ones do not
    pytest_asyncio = None  # type: ignore[assignment]


@pytest.fixture(scope="session")
def aiaas_mock_config() -> ServerConfig:
    """Settings of the session's mock server; override to change them."""
    from .config import ServerConfig

    return ServerConfig()


@pytest.fixture(scope="session")
def aiaas_mock(
    request: pytest.FixtureRequest, aiaas_mock_config: ServerConfig
) -> Iterator[MockServer]:
    """A mock server on a free loopback port for the whole session."""
    from .extra import MissingMockExtra, require_mock_extra

    try:
        require_mock_extra()
    except MissingMockExtra as missing:
        pytest.fail(str(missing), pytrace=False)
    from .tools.runner import MockServer

    with _progress_on_the_terminal(request), MockServer(aiaas_mock_config) as server:
        yield server


@contextlib.contextmanager
def _progress_on_the_terminal(request: pytest.FixtureRequest) -> Iterator[None]:
    """Say what the server loads while it starts (seconds, the first time)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or request.config.get_verbosity() < -1:  # silent with -qq
        yield
        return

    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def write_line(line: str) -> None:
        # Past pytest's output capture, as its own progress lines are.
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(f"aiaas-mock: {line}")

    class ToTerminal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            write_line(record.getMessage())

    progress = logging.getLogger("aiaas_mock.catalogue")
    handler, level = ToTerminal(), progress.level
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    write_line("starting the session's mock server")
    try:
        yield
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)


@pytest.fixture
def aiaas_client(aiaas_mock: MockServer) -> Iterator[aiaas.Client]:
    """A sync client of the session's mock server, with its development key."""
    import aiaas

    with aiaas.Client(api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url) as client:
        yield client


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def aiaas_async_client(aiaas_mock: MockServer) -> AsyncIterator[aiaas.AsyncClient]:
        """An async client of the session's mock server, closed in the test's loop."""
        import aiaas

        async with aiaas.AsyncClient(
            api_key=aiaas_mock.api_key, base_url=aiaas_mock.base_url
        ) as client:
            yield client
