"""Pages of stored rows and results are bounded in bytes as well as count: a page
of wide rows stops early with a cursor, and walking the cursors returns every row
once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from aiaas_mock import ServerConfig
from tests.server.conftest import Harness, make_harness

PAGE_BYTES = 200_000
WIDE = 60_000


@pytest.fixture(scope="module")
def small_pages() -> Iterator[Harness]:
    yield from make_harness(ServerConfig(max_page_bytes=PAGE_BYTES))


def _walk(harness: Harness, path: str, limit: int) -> list[list[dict[str, Any]]]:
    pages, after = [], None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        answer = harness.http.get(path, params=params, headers=harness.auth())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append(body["data"])
        if not body["has_more"]:
            return pages
        after = body["next_cursor"]


def test_wide_rows_page_by_bytes(small_pages: Harness) -> None:
    lines = [json.dumps({"n": i, "note": chr(97 + i % 26) * WIDE}) for i in range(12)]
    created = small_pages.http.post(
        "/v1/datasets",
        params={"name": "wide", "format": "jsonl"},
        content="\n".join(lines).encode(),
        headers={**small_pages.auth(), "content-type": "application/x-ndjson"},
    )
    assert created.status_code == 201, created.text
    dataset = created.json()["id"]
    assert (
        small_pages.http.get("/v1/limits", headers=small_pages.auth()).json()["max_page_bytes"]
        == PAGE_BYTES
    )
    pages = _walk(small_pages, f"/v1/datasets/{dataset}/rows", limit=1000)
    # 60 KB a row: three fit in 200 KB, never more.
    assert [len(page) for page in pages] == [3, 3, 3, 3]
    rows = [row for page in pages for row in page]
    assert [row["index"] for row in rows] == list(range(12))
    assert [row["values"]["n"] for row in rows] == list(range(12))


def test_one_row_wider_than_a_page_still_comes(small_pages: Harness) -> None:
    created = small_pages.http.post(
        "/v1/datasets",
        params={"name": "wider", "format": "jsonl"},
        # Cells each under the cell limit, together past the page's bytes.
        content=json.dumps({f"c{i}": "x" * 100_000 for i in range(3)}).encode()
        + b'\n{"c0": "y"}\n',
        headers={**small_pages.auth(), "content-type": "application/x-ndjson"},
    )
    assert created.status_code == 201, created.text
    pages = _walk(small_pages, f"/v1/datasets/{created.json()['id']}/rows", limit=10)
    assert [len(page) for page in pages] == [1, 1]


def test_batch_results_page_by_bytes(small_pages: Harness) -> None:
    store = small_pages.services.store
    record = {
        "id": "bp_wide",
        "model": "m",
        "dataset_id": "d",
        "status": "running",
        "created_at": 0,
    }
    with store.db.transaction() as conn:
        store.jobs.insert(conn, record, "batch_prediction", small_pages.tenant.id, "here")
    results = [(i, json.dumps({"index": i, "output": {"text": "z" * WIDE}})) for i in range(10)]
    store.jobs.add_results("bp_wide", results)
    pages = _walk(small_pages, "/v1/batch-predictions/bp_wide/results", limit=1000)
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert [row["index"] for page in pages for row in page] == list(range(10))
