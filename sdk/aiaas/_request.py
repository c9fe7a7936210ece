"""What one API call asks for, independent of how often it is sent."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

if TYPE_CHECKING:
    from ._uploads import Upload

__all__ = ["RequestSpec", "build_url", "path_segment", "per_call"]

ParamValue = str | int | float | bool | tuple[str, ...] | None
"""A tuple is a repeated parameter (``?null_values=NA&null_values=-``)."""

Headers = Mapping[str, str]
Query = Mapping[str, ParamValue]
Body = Mapping[str, object]


@dataclass(frozen=True)
class RequestSpec:
    """Method, path, query and body of one API call."""

    method: str
    path: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    """A body sent as it is, when ``json`` is ``None`` (its type goes in ``headers``)."""
    upload: Upload | None = None
    """A body streamed from a file or records (``datasets.create``), read again
    from its start on each attempt."""
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    encrypt: bool = True
    """Whether this call takes part in encryption (the key list itself does not)."""
    timeout: httpx.Timeout | None = None
    """This call's timeout, instead of the client's."""
    stream: bool = False
    """The answer is read as it arrives (Server-Sent Events), not whole."""

    def with_cursor(self, cursor: str | None) -> RequestSpec:
        """The same call for the page after ``cursor`` (the first page for ``None``)."""
        if cursor is None:
            return self
        return dataclasses.replace(self, params={**self.params, "after": cursor})


def per_call(
    spec: RequestSpec,
    *,
    extra_headers: Headers | None,
    extra_query: Query | None,
    extra_body: Body | None,
    timeout: float | httpx.Timeout | None,
) -> RequestSpec:
    """``spec`` with one call's own options, which win over the client's.

    Headers: the SDK's own, then the client's ``default_headers`` (as set at
    construction or by ``with_options``), then ``extra_headers``; an
    ``Idempotency-Key`` among them becomes the call's key. Query parameters and
    body fields are added to the method's, replacing those of the same name.
    """
    changes: dict[str, Any] = {}
    if extra_headers:
        headers = {**spec.headers}
        for name, value in extra_headers.items():
            if name.lower() == "idempotency-key":
                changes["idempotency_key"] = value
            else:
                headers[name] = value
        changes["headers"] = headers
    if extra_query:
        changes["params"] = {**spec.params, **extra_query}
    if extra_body:
        if not isinstance(spec.json, Mapping):
            raise TypeError(f"{spec.method} {spec.path} takes no JSON object to add extra_body to")
        changes["json"] = {**spec.json, **extra_body}
    if timeout is not None:
        changes["timeout"] = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
    return dataclasses.replace(spec, **changes) if changes else spec


def path_segment(value: str | None, name: str) -> str:
    """``value`` escaped for use as one path segment; empty values are refused
    (typed code cannot pass ``None``; untyped code, a notebook, can)."""
    if value is None and name in ("model_id", "model"):
        # Most often a job's result_model_id, read before the job has succeeded.
        raise ValueError(
            f"{name} is None: a training job's result_model_id stays None until the "
            "job has succeeded; call client.training_jobs.wait(job.id) first"
        )
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")
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


def _query_value(value: str | int | float | bool | tuple[str, ...]) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return list(value)
    return str(value)
