"""Base classes that give resources access to their client's request pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncClient, Client


class SyncAPIResource:
    def __init__(self, client: Client) -> None:
        self._client = client


class AsyncAPIResource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
