"""Pages of a cursor-paginated list, and iteration across all of them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from .types.list_response import ListResponse

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage"]

ItemT = TypeVar("ItemT")


class _BasePage(Generic[ItemT]):
    def __init__(self, envelope: ListResponse[ItemT]) -> None:
        self._envelope = envelope

    @property
    def data(self) -> list[ItemT]:
        """The items on this page."""
        return self._envelope.data

    @property
    def has_more(self) -> bool:
        """Whether a later page exists."""
        return self._envelope.has_more

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the next page, if there is one."""
        return self._envelope.next_cursor if self._envelope.has_more else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more})"


class SyncPage(_BasePage[ItemT]):
    """One page of results. Iterating it yields every item of every later page too,
    fetching one page at a time as the iteration reaches it.
    """

    def __init__(
        self, envelope: ListResponse[ItemT], fetch: Callable[[str], SyncPage[ItemT]]
    ) -> None:
        super().__init__(envelope)
        self._fetch = fetch

    def next_page(self) -> SyncPage[ItemT] | None:
        """The next page, or ``None`` if this is the last one."""
        cursor = self.next_cursor
        return self._fetch(cursor) if cursor is not None else None

    def iter_pages(self) -> Iterator[SyncPage[ItemT]]:
        """This page, then each later page in turn."""
        page: SyncPage[ItemT] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_BasePage[ItemT]):
    """One page of results; ``async for`` over it yields every item of every later page."""

    def __init__(
        self, envelope: ListResponse[ItemT], fetch: Callable[[str], Awaitable[AsyncPage[ItemT]]]
    ) -> None:
        super().__init__(envelope)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[ItemT] | None:
        """The next page, or ``None`` if this is the last one."""
        cursor = self.next_cursor
        return await self._fetch(cursor) if cursor is not None else None

    async def iter_pages(self) -> AsyncIterator[AsyncPage[ItemT]]:
        """This page, then each later page in turn."""
        page: AsyncPage[ItemT] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[ItemT]):
    """What an async list call returns: ``await`` it for the first page, or
    ``async for`` over it for every item of every page.
    """

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[ItemT]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[ItemT]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        page = await self._first_page()
        async for item in page:
            yield item
