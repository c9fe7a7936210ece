"""What the training-job and batch-prediction routes share."""

from __future__ import annotations

from typing import Any

import anyio

from aiaas.types import JobEvent, ListResponse

from ...services import Services

CANCEL_WAIT_SECONDS = 5.0


def job_events(
    services: Services, job_id: str, limit: int, after: str | None
) -> ListResponse[JobEvent]:
    list_id = f"events|{job_id}"
    position = services.cursors.decode(list_id, after) if after else 0
    page = services.store.jobs.events(job_id, after_seq=position, limit=limit)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[JobEvent](
        data=[JobEvent.model_validate(record) for record in page.records],
        has_more=page.has_more,
        next_cursor=next_cursor,
    )


async def wait_until_settled(services: Services, job_id: str) -> dict[str, Any]:
    """The job's record once it has left ``running`` (or after a few seconds)."""
    with anyio.move_on_after(CANCEL_WAIT_SECONDS):
        while True:
            record = await anyio.to_thread.run_sync(services.store.jobs.record, job_id)
            if record["status"] not in ("queued", "running"):
                return record
            await anyio.sleep(0.1)
    return await anyio.to_thread.run_sync(services.store.jobs.record, job_id)
