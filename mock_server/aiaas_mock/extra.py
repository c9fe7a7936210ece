"""What the mock server needs beyond the SDK: the ``mock`` extra.

``pip install aiaas`` installs this package too (the ``aiaas-mock`` command and
the pytest plugin come with it), but not the server's dependencies. Every entry
point checks for them first and says in one line what to install.
"""

from __future__ import annotations

import importlib.util

__all__ = ["MOCK_EXTRA_MODULES", "MissingMockExtra", "missing_mock_modules", "require_mock_extra"]

MOCK_EXTRA_MODULES = (
    "fastapi",
    "uvicorn",
    "numpy",
    "sklearn",
    "PIL",
    "pycrfsuite",
    "gensim",
    "torch",
)
"""Import names of the ``mock`` extra's packages."""

INSTALL_HINT = 'pip install "aiaas[mock]"'


class MissingMockExtra(ImportError):
    """The mock server's dependencies are not installed."""


def missing_mock_modules() -> list[str]:
    return [name for name in MOCK_EXTRA_MODULES if importlib.util.find_spec(name) is None]


def require_mock_extra() -> None:
    """Raise :class:`MissingMockExtra`, naming what to install, if anything is missing."""
    missing = missing_mock_modules()
    if missing:
        raise MissingMockExtra(f"the aiaas mock server needs {', '.join(missing)}: {INSTALL_HINT}")
