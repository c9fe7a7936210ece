"""``import aiaas`` loads only what every program needs; the rest loads on first use."""

from __future__ import annotations

import subprocess
import sys

DEFERRED = ("aiaas.oip", "aiaas.envelope", "cryptography", "asyncio")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {DEFERRED!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_import_leaves_the_protocol_client_and_the_cryptography_unloaded() -> None:
    assert _loaded_after("import aiaas") == []


def test_a_plain_sync_client_loads_none_of_them() -> None:
    code = (
        "import aiaas\n"
        "aiaas.Client(api_key='aiaas_sk_x', base_url='https://x.local', encryption='off')"
    )
    assert _loaded_after(code) == []


def test_each_loads_when_first_used() -> None:
    assert "aiaas.oip" in _loaded_after("import aiaas\naiaas.oip.Client")
    assert "aiaas.oip" in _loaded_after("from aiaas import oip")
    sealed = "import aiaas.envelope"
    assert {"aiaas.envelope", "cryptography"} <= set(_loaded_after(sealed))
