"""What the training-job and batch-prediction resources share: reading, listing,
cancelling and waiting for a job, sync and async (on the two drivers of
:class:`~aiaas._polling.JobPoll`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import httpx

from .._exceptions import APITimeoutError
from .._pages import AsyncPaginator, SyncPage
from .._polling import JobPoll
from .._progress import job_display
from .._request import Body, Headers, Query, RequestSpec, path_segment, per_call
from .._streaming import AsyncStream, Stream
from ..types.job import Job, JobEvent
from ..types.list_response import ListResponse
from ._base import AsyncAPIResource, SyncAPIResource

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

JobT = TypeVar("JobT", bound=Job)

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


def _noted(job: JobT, poll: JobPoll, on_progress: Callable[[JobT], object] | None) -> JobT:
    """``job``, after telling ``on_progress`` if it moved since the last look."""
    if poll.changed(job) and on_progress is not None:
        on_progress(job)
    return job


def wait_sync(
    retrieve: Callable[[], JobT], poll: JobPoll, on_progress: Callable[[JobT], object] | None
) -> JobT:
    while True:
        job = _noted(retrieve(), poll, on_progress)
        if job.done:
            return job
        time.sleep(poll.next_wait(job))


FOLLOW_READ_SECONDS = 30.0
"""Longest wait for the next event of a followed log: twice the server's keep-alive."""

Follow = Callable[[int, float], Stream[JobEvent]]
"""Opens a job's log from after an event's seq, with a read timeout."""
AsyncFollow = Callable[[int, float], Awaitable[AsyncStream[JobEvent]]]


def _read_seconds(poll: JobPoll, job: Job) -> float:
    """How long a followed log may be silent: the read timeout, within the wait's."""
    left = poll.time_left(job)
    return FOLLOW_READ_SECONDS if left is None else min(left, FOLLOW_READ_SECONDS)


def follow_sync(
    retrieve: Callable[[], JobT],
    follow: Follow,
    poll: JobPoll,
    on_progress: Callable[[JobT], object] | None,
) -> JobT:
    """``wait`` on the job's log as it is written: a look at the job after each
    event instead of on a schedule."""
    last_seq = 0
    while True:
        job = _noted(retrieve(), poll, on_progress)
        if job.done:
            return job
        try:
            with follow(last_seq, _read_seconds(poll, job)) as log:
                for event in log:
                    last_seq = event.seq
                    job = _noted(retrieve(), poll, on_progress)
                    if job.done:
                        return job
                    poll.time_left(job)
        except APITimeoutError:
            continue  # no event for a while: look again (and time out if it is time)


async def follow_async(
    retrieve: Callable[[], Awaitable[JobT]],
    follow: AsyncFollow,
    poll: JobPoll,
    on_progress: Callable[[JobT], object] | None,
) -> JobT:
    last_seq = 0
    while True:
        job = _noted(await retrieve(), poll, on_progress)
        if job.done:
            return job
        try:
            log = await follow(last_seq, _read_seconds(poll, job))
            async with log:
                async for event in log:
                    last_seq = event.seq
                    job = _noted(await retrieve(), poll, on_progress)
                    if job.done:
                        return job
                    poll.time_left(job)
        except APITimeoutError:
            continue


def follow_options(last_seq: int, read_seconds: float) -> dict[str, Any]:
    """The per-call options of one followed stream of a ``wait``."""
    return {
        "extra_headers": {"Last-Event-ID": str(last_seq)} if last_seq else None,
        "timeout": httpx.Timeout(10.0, read=read_seconds),
    }


async def wait_async(
    retrieve: Callable[[], Awaitable[JobT]],
    poll: JobPoll,
    on_progress: Callable[[JobT], object] | None,
) -> JobT:
    import anyio  # the async client runs on asyncio or trio: sleep on whichever

    while True:
        job = _noted(await retrieve(), poll, on_progress)
        if job.done:
            return job
        await anyio.sleep(poll.next_wait(job))


class SyncJobs(SyncAPIResource, Generic[JobT]):
    """The methods every kind of job has: ``list``, ``retrieve``, ``events``,
    ``cancel`` and ``wait``."""

    def __init__(self, client: Client, collection: str, job_type: type[JobT]) -> None:
        super().__init__(client)
        self._collection = collection
        self._job_type = job_type
        self._list_type: type[ListResponse[JobT]] = ListResponse[job_type]  # type: ignore[valid-type]

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[JobT]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(self._collection, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, self._list_type)

    def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> JobT:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(self._collection, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, self._job_type)

    @overload
    def events(
        self,
        job_id: str,
        *,
        follow: Literal[False] = False,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[JobEvent]: ...

    @overload
    def events(
        self,
        job_id: str,
        *,
        follow: Literal[True],
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Stream[JobEvent]: ...

    def events(
        self,
        job_id: str,
        *,
        follow: bool = False,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[JobEvent] | Stream[JobEvent]:
        """The job's log, oldest first: state changes and progress (and, for a training
        job, each fold's and each candidate's metrics).

        With ``follow=True``, a :class:`~aiaas.Stream` of the events as they are
        written, from the first, ending once the job has ended (or after the
        server's longest stream, 15 minutes; follow again from the last ``seq``
        with ``extra_headers={"Last-Event-ID": str(seq)}``).
        """
        spec = per_call(
            events_spec(self._collection, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        if follow:
            return self._stream(spec, JobEvent, Stream[JobEvent])
        return self._get_page(spec, ListResponse[JobEvent])

    def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> JobT:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(self._collection, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, self._job_type)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[JobT], object] | None = None,
        follow: bool = False,
        progress: bool | None = None,
    ) -> JobT:
        """Poll the job until it has succeeded, failed or been cancelled; return it.

        Looks again after ``poll_interval`` seconds, waiting up to four times longer
        while the job shows no progress; with ``follow=True``, looks after each
        event of the job's log instead, as the server writes it (one open stream,
        no schedule). ``on_progress`` gets the job each time its status or progress
        has changed. Raises :class:`aiaas.JobTimeoutError` after ``timeout``
        seconds (by default the client's ``deadline``, if it has one); the job
        itself goes on. ``progress`` draws a bar of the job's progress and status
        on standard error: by default on a terminal when tqdm is installed (the
        ``progress`` extra); ``False`` never, ``True`` always.
        """
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        with job_display(progress, job_id, on_progress) as noted:
            if follow:
                return follow_sync(
                    lambda: self.retrieve(job_id),
                    lambda last, read: self.events(
                        job_id, follow=True, **follow_options(last, read)
                    ),
                    poll,
                    noted,
                )
            return wait_sync(lambda: self.retrieve(job_id), poll, noted)


class AsyncJobs(AsyncAPIResource, Generic[JobT]):
    """The methods every kind of job has: ``list``, ``retrieve``, ``events``,
    ``cancel`` and ``wait``."""

    def __init__(self, client: AsyncClient, collection: str, job_type: type[JobT]) -> None:
        super().__init__(client)
        self._collection = collection
        self._job_type = job_type
        self._list_type: type[ListResponse[JobT]] = ListResponse[job_type]  # type: ignore[valid-type]

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[JobT]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(self._collection, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, self._list_type)

    async def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> JobT:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(self._collection, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, self._job_type)

    @overload
    def events(
        self,
        job_id: str,
        *,
        follow: Literal[False] = False,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[JobEvent]: ...

    @overload
    def events(
        self,
        job_id: str,
        *,
        follow: Literal[True],
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Awaitable[AsyncStream[JobEvent]]: ...

    def events(
        self,
        job_id: str,
        *,
        follow: bool = False,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[JobEvent] | Awaitable[AsyncStream[JobEvent]]:
        """The job's log, oldest first: state changes and progress (and, for a training
        job, each fold's and each candidate's metrics). With ``follow=True``, awaited,
        an :class:`~aiaas.AsyncStream` of the events as they are written (see
        :meth:`SyncJobs.events`)."""
        spec = per_call(
            events_spec(self._collection, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        if follow:
            return self._stream(spec, JobEvent, AsyncStream[JobEvent])
        return self._get_page(spec, ListResponse[JobEvent])

    async def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> JobT:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(self._collection, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, self._job_type)

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[JobT], object] | None = None,
        follow: bool = False,
        progress: bool | None = None,
    ) -> JobT:
        """Poll the job until it has succeeded, failed or been cancelled; return it
        (see :meth:`SyncJobs.wait`; ``follow=True`` looks after each event of the
        job's log as it is written; ``progress`` draws a bar)."""
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        with job_display(progress, job_id, on_progress) as noted:
            if follow:
                return await follow_async(
                    lambda: self.retrieve(job_id),
                    lambda last, read: self.events(
                        job_id, follow=True, **follow_options(last, read)
                    ),
                    poll,
                    noted,
                )
            return await wait_async(lambda: self.retrieve(job_id), poll, noted)
