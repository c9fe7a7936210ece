"""Cursor pagination, sync and async, against respx mocks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

import aiaas
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, collect, resolve

LIST_URL = f"{BASE_URL}/v1/models"


def card(n: int) -> dict[str, Any]:
    return {
        "id": f"m{n}",
        "task": "clustering",
        "algorithm": "a",
        "version": "1",
        "owner": "system",
        "created_at": n,
    }


def serve_pages(request: httpx.Request) -> httpx.Response:
    """Seven cards in pages of ``limit``, with the position as cursor."""
    limit = int(request.url.params.get("limit", "3"))
    start = int(request.url.params.get("after", "0"))
    items = [card(n) for n in range(start, min(start + limit, 7))]
    has_more = start + limit < 7
    body = {"object": "list", "data": items, "has_more": has_more}
    body["next_cursor"] = str(start + limit) if has_more else None
    return httpx.Response(200, json=body)


@respx.mock
async def test_iterating_a_page_walks_every_item_of_every_page(make_client: ClientFactory) -> None:
    route = respx.get(LIST_URL).mock(side_effect=serve_pages)
    items = await collect(make_client().models.list(limit=3))
    assert [m.id for m in items] == [f"m{n}" for n in range(7)]
    assert route.call_count == 3
    assert [c.request.url.params.get("after") for c in route.calls] == [None, "3", "6"]
    assert all(c.request.url.params["limit"] == "3" for c in route.calls)


@respx.mock
async def test_first_page_and_next_page(make_client: ClientFactory) -> None:
    respx.get(LIST_URL).mock(side_effect=serve_pages)
    page = await resolve(make_client().models.list(limit=4))
    assert [m.id for m in page.data] == ["m0", "m1", "m2", "m3"]
    assert page.has_more
    assert page.next_cursor == "4"
    last = await resolve(page.next_page())
    assert [m.id for m in last.data] == ["m4", "m5", "m6"]
    assert not last.has_more
    assert last.next_cursor is None
    assert await resolve(last.next_page()) is None


@respx.mock
async def test_iter_pages_yields_this_page_then_each_later_one(make_client: ClientFactory) -> None:
    respx.get(LIST_URL).mock(side_effect=serve_pages)
    page = await resolve(make_client().models.list(limit=3))
    pages = await collect(page.iter_pages())
    assert pages[0] is page
    assert [len(p.data) for p in pages] == [3, 3, 1]


@respx.mock
def test_iteration_is_lazy_one_request_per_page() -> None:
    route = respx.get(LIST_URL).mock(side_effect=serve_pages)
    with aiaas.Client(api_key="k", base_url=BASE_URL, encryption="off") as client:
        items = iter(client.models.list(limit=3))
        next(items)
        assert route.call_count == 1
        for _ in range(3):
            next(items)
        assert route.call_count == 2


@respx.mock
async def test_async_list_can_be_iterated_without_await() -> None:
    route = respx.get(LIST_URL).mock(side_effect=serve_pages)
    async with aiaas.AsyncClient(api_key="k", base_url=BASE_URL, encryption="off") as client:
        seen = []
        async for model in client.models.list(limit=5):
            seen.append(model.id)
            if len(seen) == 2:
                assert route.call_count == 1
        assert len(seen) == 7
        assert route.call_count == 2


@respx.mock
async def test_task_filter_is_sent_and_kept_across_pages(make_client: ClientFactory) -> None:
    route = respx.get(LIST_URL).mock(side_effect=serve_pages)
    await collect(make_client().models.list(task="clustering", limit=3))
    assert all(c.request.url.params["task"] == "clustering" for c in route.calls)


@respx.mock
async def test_a_failing_later_page_raises(make_client: ClientFactory) -> None:
    respx.get(LIST_URL).mock(
        side_effect=[
            serve_pages(httpx.Request("GET", f"{LIST_URL}?limit=3")),
            httpx.Response(400, json={"title": "t", "status": 400, "code": "invalid_cursor"}),
        ]
    )
    with pytest.raises(aiaas.BadRequestError, match="invalid_cursor"):
        await collect(make_client().models.list(limit=3))
