"""What the training-job and batch-prediction routes share: queueing a job,
reading, listing and cancelling one, and paging through records."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse

from aiaas.types import Job, JobEvent, ListResponse

from ...services import Services
from ...store.jobs import JobKind, RecordPage
from ..idempotency import commit
from ..problems import ProblemError

CANCEL_WAIT_SECONDS = 5.0
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}
}
"""The events routes' other answer, for OpenAPI."""
JobT = TypeVar("JobT", bound=Job)
ItemT = TypeVar("ItemT")


def record_page(
    services: Services,
    list_id: str,
    after: str | None,
    fetch: Callable[[int], RecordPage],
    item: Callable[[dict[str, Any]], ItemT],
    start: int = 0,
) -> ListResponse[ItemT]:
    """One page of stored records, from the position ``after`` names (``start``
    without one), with the cursor of the next page."""
    position = services.cursors.decode(list_id, after) if after else start
    page = fetch(position)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[ItemT](
        data=[item(record) for record in page.records],
        has_more=page.has_more,
        next_cursor=next_cursor,
    )


def row_records_page(
    services: Services,
    list_id: str,
    job_id: str,
    after: str | None,
    limit: int,
    item: Callable[[dict[str, Any]], ItemT],
) -> ListResponse[ItemT]:
    """One page of a job's per-row records (a batch's results, a training job's
    out-of-fold answers), in row order, bounded in bytes as well as in rows."""
    return record_page(
        services,
        list_id,
        after,
        lambda row: services.store.jobs.results(
            job_id, after_row=row, limit=limit, max_bytes=services.config.max_page_bytes
        ),
        item,
        start=-1,
    )


@dataclass(frozen=True)
class JobRoutes(Generic[JobT]):
    """The routes' work for one kind of job."""

    kind: JobKind
    noun: str
    """What the job is called in messages: ``training job``, ``batch prediction``."""
    job_type: type[JobT]

    def queue(self, services: Services, tenant_id: str, job: JobT) -> JobT:
        """Store the job as queued for this server's runner, and wake the runner.

        Queued at once, not with an idempotent answer: the runner reads the queue
        from the database, and a replayed answer must name a job that exists.
        """
        record = job.model_dump(mode="json")

        def write(conn: sqlite3.Connection) -> None:
            services.store.jobs.insert(
                conn, record, self.kind, tenant_id, services.store.instances.id
            )

        commit(services, [write])
        services.jobs.wake()
        return job

    def record(self, services: Services, job_id: str, tenant_id: str) -> dict[str, Any]:
        """The tenant's job's record; 404 for another tenant's or none."""
        record = services.store.jobs.get(job_id, tenant_id, self.kind)
        if record is None:
            raise ProblemError(404, "not_found", f"No {self.noun} '{job_id}'.")
        return record

    def one(self, services: Services, job_id: str, tenant_id: str) -> JobT:
        return self.job_type.model_validate(self.record(services, job_id, tenant_id))

    def page(
        self, services: Services, tenant_id: str, limit: int, after: str | None
    ) -> ListResponse[JobT]:
        return record_page(
            services,
            f"{self.kind}|{tenant_id}",
            after,
            lambda position: services.store.jobs.page(
                tenant_id, self.kind, after_seq=position, limit=limit
            ),
            self.job_type.model_validate,
        )

    def events(
        self,
        services: Services,
        job_id: str,
        tenant_id: str,
        limit: int,
        after: str | None,
        request: Request,
    ) -> ListResponse[JobEvent] | StreamingResponse:
        """A page of the job's log; or, when the caller accepts ``text/event-stream``,
        the log as it is written, from the event after ``Last-Event-ID``."""
        self.record(services, job_id, tenant_id)
        if "text/event-stream" in request.headers.get("accept", ""):
            last = request.headers.get("last-event-id", "0")
            if not last.isdigit():
                raise ProblemError(400, "invalid_last_event_id", "Last-Event-ID is an event's seq.")
            return StreamingResponse(
                follow_events(services, job_id, int(last)),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        return record_page(
            services,
            f"events|{job_id}",
            after,
            lambda position: services.store.jobs.events(job_id, after_seq=position, limit=limit),
            JobEvent.model_validate,
        )

    async def cancel(self, services: Services, job_id: str, tenant_id: str) -> JobT:
        """Cancel the job, and wait (a few seconds at most) until it has stopped."""
        record = await anyio.to_thread.run_sync(self.record, services, job_id, tenant_id)
        if record["status"] in ("queued", "running"):
            await anyio.to_thread.run_sync(services.jobs.cancel, job_id)
            record = await _settled(services, job_id)
        return self.job_type.model_validate(record)


FOLLOW_POLL_SECONDS = 0.25
FOLLOW_KEEPALIVE_SECONDS = 15.0
FOLLOW_MAX_SECONDS = 900.0
"""A followed log is one request: it ends after this long (without ``[DONE]``),
and the client follows on from its ``Last-Event-ID``."""
_FINAL = ("succeeded", "failed", "cancelled")


async def follow_events(services: Services, job_id: str, after_seq: int) -> AsyncIterator[bytes]:
    """The job's events as Server-Sent Events (``id`` is the event's seq), then
    ``data: [DONE]`` once the job has ended and its last event is sent."""
    jobs = services.store.jobs
    started = last_sent = time.monotonic()
    while time.monotonic() - started < FOLLOW_MAX_SECONDS:
        # The status first: an event written after this read is still read below.
        status = (await anyio.to_thread.run_sync(jobs.record, job_id))["status"]
        page = await anyio.to_thread.run_sync(_events_after, services, job_id, after_seq)
        for record in page.records:
            event = JobEvent.model_validate(record)
            after_seq = event.seq
            yield f"id: {event.seq}\ndata: {event.model_dump_json()}\n\n".encode()
            last_sent = time.monotonic()
        if page.has_more:
            continue
        if status in _FINAL:
            yield b"data: [DONE]\n\n"
            return
        if time.monotonic() - last_sent > FOLLOW_KEEPALIVE_SECONDS:
            yield b": keep-alive\n\n"
            last_sent = time.monotonic()
        await anyio.sleep(FOLLOW_POLL_SECONDS)


def _events_after(services: Services, job_id: str, after_seq: int) -> RecordPage:
    return services.store.jobs.events(job_id, after_seq=after_seq, limit=100)


async def _settled(services: Services, job_id: str) -> dict[str, Any]:
    """The job's record once it has left ``running`` (or after a few seconds)."""
    with anyio.move_on_after(CANCEL_WAIT_SECONDS):
        while True:
            record = await anyio.to_thread.run_sync(services.store.jobs.record, job_id)
            if record["status"] not in ("queued", "running"):
                return record
            await anyio.sleep(0.1)
    return await anyio.to_thread.run_sync(services.store.jobs.record, job_id)
