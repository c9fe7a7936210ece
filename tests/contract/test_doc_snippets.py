"""Every Python block of README.md and docs/*.md runs on its own, as written: each
is pasted into a fresh file and run by a fresh interpreter from the repository's
root, against a mock server named by the variables ``aiaas-mock serve`` tells a
reader to export. A block that leans on another block's names, lacks an import
or awaits outside a coroutine fails here.

Placeholders for a plant's own service (its address, CA bundle and OAuth
client) are replaced with those of a local TLS mock server; nothing is sent
anywhere but loopback. A block that defines ``test_`` functions runs under
pytest, as the README says it is meant to.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiaas_mock import MockServer
from tests.helpers import CHAT_INSTALLED

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PANDAS_INSTALLED = importlib.util.find_spec("pandas") is not None
MATPLOTLIB_INSTALLED = importlib.util.find_spec("matplotlib") is not None
SECONDS = 300


@dataclass(frozen=True)
class Snippet:
    document: Path
    line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT).as_posix()}:{self.line}"


def snippets() -> list[Snippet]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append(Snippet(document, line, match.group(1)))
    return found


SNIPPETS = snippets()


def _skip_reason(snippet: Snippet) -> str | None:
    if not CHAT_INSTALLED and "chat.completions" in snippet.code:
        return "the chat extra is not installed (the lowest-versions tier)"
    if not PANDAS_INSTALLED and "import pandas" in snippet.code:
        return "pandas is not installed"
    if not MATPLOTLIB_INSTALLED and "plots" in snippet.code:
        return "matplotlib is not installed"
    return None


@pytest.fixture(scope="module")
def tls_server() -> Iterator[MockServer]:
    with MockServer(tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def grpc_server() -> Iterator[MockServer]:
    with MockServer(grpc=True) as server:
        yield server


def _environment(snippet: Snippet, rest: MockServer, grpc: MockServer) -> dict[str, str]:
    """What a reader has exported after starting the server the document shows
    (docs/oip.md's serves gRPC too)."""
    server = grpc if snippet.document.name == "oip.md" else rest
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AIAAS_") or name == "AIAAS_CREDENTIALS_FILE"
    }
    env |= {"AIAAS_BASE_URL": server.base_url, "AIAAS_API_KEY": server.api_key}
    if server is grpc:
        env |= {"AIAAS_OIP_GRPC_TARGET": grpc.grpc_target, "AIAAS_OIP_API_KEY": grpc.api_key}
    return env


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


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_every_python_block_runs_on_its_own(
    snippet: Snippet,
    aiaas_mock: MockServer,
    grpc_server: MockServer,
    tls_server: MockServer,
    tmp_path: Path,
) -> None:
    reason = _skip_reason(snippet)
    if reason is not None:
        pytest.skip(reason)
    script = tmp_path / "test_snippet.py"
    script.write_text(_localised(snippet.code, tls_server))
    command = [sys.executable, str(script)]
    if re.search(r"^def test_", snippet.code, re.MULTILINE):
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=_environment(snippet, aiaas_mock, grpc_server),
        capture_output=True,
        text=True,
        timeout=SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{snippet.name} does not run on its own:\n{result.stdout}{result.stderr}")


def test_blocks_are_found_in_every_document_with_code() -> None:
    assert len({s.document for s in SNIPPETS}) >= 6
    assert all(s.code.strip() for s in SNIPPETS)
