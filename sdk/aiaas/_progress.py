"""Progress bars where a person waits — a job's ``wait``, an upload — drawn by tqdm
(the ``progress`` extra) on a terminal and quiet elsewhere. The bars are callbacks
of the same kind as ``on_progress``, so the sync and async methods share them."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

from ._frames import require

__all__ = ["job_display", "show_progress", "upload_display"]


class _Job(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def progress(self) -> float: ...


JobT = TypeVar("JobT", bound=_Job)
UploadCallback = Callable[[int, "int | None"], object]


def show_progress(progress: bool | None) -> bool:
    """Whether to draw: as asked, or by default on a terminal with tqdm installed."""
    if progress is None:
        return sys.stderr.isatty() and importlib.util.find_spec("tqdm") is not None
    return progress


def _bar(**options: Any) -> Any:
    tqdm = require("tqdm")  # the progress extra
    return tqdm.tqdm(file=sys.stderr, dynamic_ncols=True, **options)


@contextlib.contextmanager
def job_display(
    progress: bool | None, label: str, on_progress: Callable[[JobT], object] | None
) -> Iterator[Callable[[JobT], object] | None]:
    """The callback a ``wait`` gives each new state of the job: ``on_progress``,
    and a bar of the job's share done and its status when one is shown."""
    if not show_progress(progress):
        yield on_progress
        return
    bar = _bar(
        total=100, desc=label, unit="%", bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}"
    )

    def noted(job: JobT) -> None:
        bar.n = round(job.progress * 100)
        bar.set_postfix_str(job.status, refresh=True)
        if on_progress is not None:
            on_progress(job)

    try:
        yield noted
    finally:
        bar.close()


@contextlib.contextmanager
def upload_display(
    progress: bool | None, label: str, on_progress: UploadCallback | None
) -> Iterator[UploadCallback | None]:
    """The callback an upload gives the bytes sent so far and the total (``None``
    when unknown): ``on_progress``, and a bar of bytes when one is shown."""
    if not show_progress(progress):
        yield on_progress
        return
    bar = _bar(desc=label, unit="B", unit_scale=True, unit_divisor=1024)

    def noted(sent: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(sent - bar.n)
        if on_progress is not None:
            on_progress(sent, total)

    try:
        yield noted
    finally:
        bar.close()
