"""A dataset read from bytes into a directory, as the server's ingest writes it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from aiaas.types import Dataset
from aiaas_mock.datasets.ingest import UploadFile, build


def ingested(
    directory: Path,
    data: bytes,
    target: str | None = None,
    fmt: Literal["csv", "jsonl"] = "csv",
    dataset_id: str = "ds_test",
) -> Dataset:
    """``data`` ingested into ``directory``, and the dataset's record."""
    upload = UploadFile(directory / "upload.raw", 10**9)
    upload.write(data)
    upload.finish()
    built = build(directory, upload.path, fmt, target)
    return Dataset(
        id=dataset_id,
        name="test data",
        format=fmt,
        bytes=upload.size,
        rows=built.rows,
        target=target,
        columns=built.columns,
        quality=built.quality,
        created_at=0,
    )
