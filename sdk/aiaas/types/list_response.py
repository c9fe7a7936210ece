"""The envelope of every paginated list."""

from __future__ import annotations

from typing import ClassVar, Generic, Literal, TypeVar

from pydantic import ConfigDict

from .api_object import APIObject

ItemT = TypeVar("ItemT")


class ListResponse(APIObject, Generic[ItemT]):
    """One page of a list: its items and the cursor to the next page."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    object: Literal["list"] = "list"
    data: list[ItemT]
    has_more: bool
    next_cursor: str | None = None
