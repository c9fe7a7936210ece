"""One upload on its way to becoming a dataset: all or nothing.

Everything is written into a private ``tmp-<instance>-<random>`` directory and
renamed into place only once the dataset is complete. A failed upload removes
its directory; one whose server died mid-way is removed by the next server to
look (the directory names the instance, which no longer beats).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path

from ..workers import EmbeddedPool
from .dialect import CsvOptions
from .ingest import BuiltDataset, DatasetFormat, UploadFile, build_in_directory

_TMP_PREFIX = "tmp-"
_ORPHAN_AGE = 60.0
"""Seconds after which a dataset directory the database does not know is removed."""


class Ingest:
    """Reads uploads into datasets in a process of its own.

    Typing and profiling a large file takes seconds of CPU; in a thread of the
    API process it would hold the GIL and slow every other request (a light
    call's p99 went from 3 to 88 ms during a 100 MB upload). One worker process,
    started on the first upload: uploads are read one at a time, tenants'
    in turn (one tenant's queue of uploads waits behind another's one).
    """

    def __init__(self, scratch: Path) -> None:
        self._pool = EmbeddedPool(1, scratch, role="ingest")

    def build(
        self,
        directory: Path,
        upload: UploadFile,
        fmt: DatasetFormat,
        target: str | None,
        tenant: str,
        options: CsvOptions,
    ) -> BuiltDataset:
        built: BuiltDataset = self._pool.submit(
            build_in_directory,
            str(directory),
            str(upload.path),
            fmt,
            target,
            options,
            upload.longest if upload.measured else None,
            owner=tenant,
        ).result()
        return built

    def close(self) -> None:
        self._pool.close()


class DatasetUpload:
    def __init__(
        self,
        datasets_dir: Path,
        instance_id: str,
        max_bytes: int,
        max_line_bytes: int,
        *,
        text: bool = True,
        utf8: bool = True,
        utf16_bom: bool = False,
    ) -> None:
        self.datasets_dir = datasets_dir
        self.directory = datasets_dir / f"{_TMP_PREFIX}{instance_id}-{secrets.token_hex(8)}"
        self.directory.mkdir(parents=True)
        self.file = UploadFile(
            self.directory / "upload.raw",
            max_bytes,
            max_line_bytes,
            text=text,
            utf8=utf8,
            utf16_bom=utf16_bom,
        )

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def complete(
        self,
        fmt: DatasetFormat,
        target: str | None,
        dataset_id: str,
        ingest: Ingest,
        tenant: str,
        options: CsvOptions,
    ) -> BuiltDataset:
        """Build the dataset (in the ingest process) and move it into place as
        ``datasets/<dataset_id>``."""
        self.file.finish()
        built = ingest.build(self.directory, self.file, fmt, target, tenant, options)
        self.file.path.unlink()
        os.rename(self.directory, self.datasets_dir / dataset_id)
        return built

    def abandon(self) -> None:
        self.file.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def remove_abandoned_uploads(datasets_dir: Path, live_instances: set[str]) -> None:
    """Remove the half-written uploads of server instances that are gone."""
    if not datasets_dir.exists():
        return
    for entry in datasets_dir.iterdir():
        if not entry.name.startswith(_TMP_PREFIX):
            continue
        owner = entry.name[len(_TMP_PREFIX) :].rsplit("-", 1)[0]
        if owner not in live_instances:
            shutil.rmtree(entry, ignore_errors=True)


def remove_unknown_datasets(datasets_dir: Path, known: set[str]) -> None:
    """Remove complete dataset directories the database does not list (a server
    that died between moving one into place and recording it)."""
    now = time.time()
    for entry in datasets_dir.iterdir():
        if entry.name.startswith(_TMP_PREFIX) or entry.name in known:
            continue
        if now - entry.stat().st_mtime > _ORPHAN_AGE:
            shutil.rmtree(entry, ignore_errors=True)
