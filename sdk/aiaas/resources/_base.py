"""Base classes of the resources: the client's request methods, bound once.

As openai's ``_resource.py`` does: a resource calls ``self._request``,
``self._send`` (for a file's bytes), ``self._get_page`` and ``self._stream``,
never reaching into its client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncClient, Client


class SyncAPIResource:
    _client: Client

    def __init__(self, client: Client) -> None:
        self._client = client
        self._request = client._request
        self._send = client._send
        self._get_page = client._get_page
        self._stream = client._stream


class AsyncAPIResource:
    _client: AsyncClient

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._request = client._request
        self._send = client._send
        self._get_page = client._get_page
        self._stream = client._stream
