"""Answers that are files: a table sent as CSV or Parquet, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from ..datasets.export import MEDIA_TYPES, ExportFormat

TABLE_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The table as a file, streamed.",
        "content": {
            media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
            for media in MEDIA_TYPES.values()
        },
    }
}


def table_download(body: Iterator[bytes], fmt: ExportFormat, stem: str) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
