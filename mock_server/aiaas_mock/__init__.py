"""aiaas_mock: a local aiaas service that runs real models, for development and tests.

Names are imported on first use, so that loading the pytest plugin (which pytest
does in every environment where aiaas is installed) costs nothing and needs none
of the server's dependencies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .config import FAULT_KINDS, FaultConfig, ServerConfig
    from .tools.admin import Admin
    from .tools.runner import MockServer

__all__ = ["FAULT_KINDS", "Admin", "FaultConfig", "MockServer", "ServerConfig", "create_app"]

_HOMES = {
    "Admin": ".tools.admin",
    "create_app": ".app",
    "FAULT_KINDS": ".config",
    "FaultConfig": ".config",
    "ServerConfig": ".config",
    "MockServer": ".tools.runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'aiaas_mock' has no attribute {name!r}")
    if home != ".config":
        # Without the mock extra, say which extra, not which of its modules is missing.
        from .extra import require_mock_extra

        require_mock_extra()
    return getattr(importlib.import_module(home, __name__), name)
