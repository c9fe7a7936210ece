"""What one API call asks for, independent of how often it is sent."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["RequestSpec", "build_url", "path_segment"]

ParamValue = str | int | float | bool | None


@dataclass(frozen=True)
class RequestSpec:
    """Method, path, query and body of one API call."""

    method: str
    path: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    """A body sent as it is, when ``json`` is ``None`` (its type goes in ``headers``)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    encrypt: bool = True
    """Whether this call takes part in encryption (the key list itself does not)."""

    def with_cursor(self, cursor: str | None) -> RequestSpec:
        """The same call for the page after ``cursor`` (the first page for ``None``)."""
        if cursor is None:
            return self
        return dataclasses.replace(self, params={**self.params, "after": cursor})


def path_segment(value: str, name: str) -> str:
    """``value`` escaped for use as one path segment; empty values are refused."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return quote(value, safe="")


def build_url(base_url: httpx.URL, path: str, params: Mapping[str, ParamValue]) -> httpx.URL:
    """``path`` under ``base_url`` (which may carry a path prefix), with the given query.

    Parameters whose value is ``None`` are left out.
    """
    url = _joined(base_url, path)
    query = {key: _query_value(value) for key, value in params.items() if value is not None}
    return url.copy_merge_params(query) if query else url


@functools.lru_cache(maxsize=512)
def _joined(base_url: httpx.URL, path: str) -> httpx.URL:
    # Parsing a URL costs tens of microseconds; a client calls few distinct paths.
    raw_path = base_url.raw_path.split(b"?", 1)[0].rstrip(b"/") + path.encode("ascii")
    return base_url.copy_with(raw_path=raw_path)


def _query_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
