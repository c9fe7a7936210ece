"""What the training-job and batch-prediction resources share: the requests that
read a job, and the two drivers of :class:`~aiaas._polling.JobPoll`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .._polling import JobPoll, PolledJob
from .._request import RequestSpec, path_segment

JobT = TypeVar("JobT", bound=PolledJob)

DEFAULT_POLL_INTERVAL = 1.0


def job_path(collection: str, job_id: str) -> str:
    return f"/v1/{collection}/{path_segment(job_id, 'job_id')}"


def list_spec(collection: str, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec("GET", f"/v1/{collection}", params={"limit": limit, "after": after})


def events_spec(collection: str, job_id: str, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec(
        "GET", f"{job_path(collection, job_id)}/events", params={"limit": limit, "after": after}
    )


def cancel_spec(collection: str, job_id: str, idempotency_key: str | None) -> RequestSpec:
    return RequestSpec(
        "POST", f"{job_path(collection, job_id)}/cancel", json={}, idempotency_key=idempotency_key
    )


def wait_sync(
    retrieve: Callable[[], JobT], poll: JobPoll, on_progress: Callable[[JobT], object] | None
) -> JobT:
    while True:
        job = retrieve()
        if poll.changed(job) and on_progress is not None:
            on_progress(job)
        if job.done:
            return job
        time.sleep(poll.next_wait(job))


async def wait_async(
    retrieve: Callable[[], Awaitable[JobT]],
    poll: JobPoll,
    on_progress: Callable[[JobT], object] | None,
) -> JobT:
    import anyio  # the async client runs on asyncio or trio: sleep on whichever

    while True:
        job = await retrieve()
        if poll.changed(job) and on_progress is not None:
            on_progress(job)
        if job.done:
            return job
        await anyio.sleep(poll.next_wait(job))
