"""Every Python block of README.md and docs/*.md runs, as written, against a
mock server: a snippet that stops working fails here.

A reader meets the blocks of one file in order, so they share one namespace,
which starts with what the file's prose says is at hand (a ``client``, a
``run``). Placeholders for a plant's own service (its address, CA bundle and
OAuth client) are replaced with those of a local TLS mock server; nothing is
sent anywhere but loopback.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import inspect
import re
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import aiaas
from aiaas_mock import MockServer
from tests.helpers import CHAT_INSTALLED, healthy_run

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

PANDAS_INSTALLED = importlib.util.find_spec("pandas") is not None
NOT_RUN: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Snippet:
    document: Path
    line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.document.name}:{self.line}"


def snippets() -> list[Snippet]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append(Snippet(document, line, match.group(1)))
    return found


def _skipped(snippet: Snippet) -> bool:
    if not CHAT_INSTALLED and "chat.completions" in snippet.code:
        return True  # the chat extra is not installed (the lowest-versions tier)
    if not PANDAS_INSTALLED and "import pandas" in snippet.code:
        return True  # nor is pandas
    return any(snippet.document.name == name and first in snippet.code for name, first in NOT_RUN)


@pytest.fixture(scope="module")
def tls_server() -> Iterator[MockServer]:
    with MockServer(tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def grpc_server() -> Iterator[MockServer]:
    with MockServer(grpc=True) as server:
        yield server


@pytest.fixture
def environment(
    request: pytest.FixtureRequest,
    aiaas_mock: MockServer,
    grpc_server: MockServer,
    monkeypatch: pytest.MonkeyPatch,
) -> MockServer:
    """The server a document's reader has started, named by the variables
    ``aiaas-mock serve`` tells them to export; docs/oip.md's serves gRPC too."""
    document: Path = request.node.callspec.params["document"]
    server = grpc_server if document.name == "oip.md" else aiaas_mock
    monkeypatch.setenv("AIAAS_BASE_URL", server.base_url)
    monkeypatch.setenv("AIAAS_API_KEY", server.api_key)
    if server is grpc_server:
        monkeypatch.setenv("AIAAS_OIP_GRPC_TARGET", grpc_server.grpc_target)
        monkeypatch.setenv("AIAAS_OIP_API_KEY", grpc_server.api_key)
    return server


def _localised(code: str, tls: MockServer) -> str:
    """The snippet with a plant's placeholders replaced by the local TLS server's."""
    if '"cli_..."' not in code:
        return code
    tenant = tls.admin.create_tenant(f"docs-{uuid.uuid4().hex[:8]}")
    oauth = tls.admin.create_client(tenant.id, {"models:read", "inference"})
    replacements = {
        '"https://aiaas.plant-7.example"': repr(tls.base_url),
        '"plant-7-ca.pem"': repr(str(tls.ca_path)),
        '"cli_..."': repr(oauth.id),
        '"aiaas_cs_..."': repr(oauth.secret.reveal()),
    }
    for placeholder, value in replacements.items():
        code = code.replace(placeholder, value)
    return code


def _run(code: str, namespace: dict[str, Any]) -> None:
    tree = ast.parse(code)
    if any(isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for node in ast.walk(tree)):
        # Top-level await, as in a notebook or `python -m asyncio`.
        body = "async def __snippet__():\n" + textwrap.indent(code, "    ")
        body += "\n    globals().update({k: v for k, v in locals().items()})\n"
        exec(compile(body, "<snippet>", "exec"), namespace)  # noqa: S102 - our own docs

        async def main() -> None:
            try:
                await namespace["__snippet__"]()
            finally:  # an async client belongs to the loop it ran in
                for value in list(namespace.values()):
                    if isinstance(value, (aiaas.AsyncClient, aiaas.oip.AsyncClient)):
                        await value.close()

        asyncio.run(main())
        return
    exec(compile(tree, "<snippet>", "exec"), namespace)  # noqa: S102 - our own docs


def _namespace(document: Path, server: MockServer) -> dict[str, Any]:
    """What the document's prose says a block may use."""
    at_hand: dict[str, Any] = {"aiaas": aiaas, "run": healthy_run()}
    if document.name == "oip.md":
        at_hand["client"] = aiaas.oip.Client(server.base_url, api_key=server.api_key)
        at_hand["Tensor"] = aiaas.oip.Tensor
    elif document.name == "sdk.md":
        at_hand["client"] = aiaas.Client()
    return at_hand


def _with_async_client(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    if "await client." in code or "async for model in client." in code:
        return {**namespace, "client": aiaas.AsyncClient()}
    return namespace


def _call_tests(namespace: dict[str, Any], server: MockServer) -> int:
    """Run the test functions a block defines, with the plugin's fixtures."""
    called = 0
    for name, function in list(namespace.items()):
        if name.startswith("test_") and inspect.isfunction(function):
            with aiaas.Client(api_key=server.api_key, base_url=server.base_url) as client:
                function(client)
            called += 1
    return called


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=[d.relative_to(ROOT).as_posix() for d in DOCUMENTS]
)
def test_every_python_block_runs(
    document: Path, environment: MockServer, tls_server: MockServer
) -> None:
    blocks = [s for s in snippets() if s.document == document]
    namespace = _namespace(document, environment)
    scopes = [namespace]
    try:
        for snippet in blocks:
            if _skipped(snippet):
                continue
            code = _localised(snippet.code, tls_server)
            scope = _with_async_client(code, namespace)
            scopes.append(scope)
            try:
                _run(code, scope)
            except Exception as error:
                pytest.fail(f"{snippet.name} does not run: {type(error).__name__}: {error}")
            if scope is not namespace:
                namespace.update({k: v for k, v in scope.items() if k != "client"})
            _call_tests(scope, environment)
    finally:
        _close_clients(scopes)


def _close_clients(scopes: list[dict[str, Any]]) -> None:
    """Snippets leave clients open, as short scripts may; the test closes them."""
    seen: set[int] = set()
    for scope in scopes:
        for value in scope.values():
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, (aiaas.Client, aiaas.oip.Client)):
                value.close()


def test_the_skips_still_match_a_block() -> None:
    for name, first in NOT_RUN:
        assert any(s.document.name == name and first in s.code for s in snippets()), (name, first)
