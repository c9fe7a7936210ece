"""``client.training_jobs``: train models on the tenant's datasets and follow them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Final

import httpx

from .._pages import AsyncPaginator, SyncPage
from .._polling import JobPoll
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.list_response import ListResponse
from ..types.training_job import JobEvent, SearchSettings, TrainingJob, ValidationSettings
from ._base import AsyncAPIResource, SyncAPIResource
from ._jobs import (
    DEFAULT_POLL_INTERVAL,
    cancel_spec,
    events_spec,
    job_path,
    list_spec,
    wait_async,
    wait_sync,
)

__all__ = [
    "AsyncTrainingJobs",
    "AsyncTrainingJobsWithRawResponse",
    "TrainingJobs",
    "TrainingJobsWithRawResponse",
]

_COLLECTION = "training-jobs"


def _settings(value: object, name: str) -> object:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{name} must be a mapping or a {name.title()}Settings")


def _create_spec(
    model: str | Sequence[str],
    dataset_id: str,
    target: str | None,
    features: Sequence[str] | None,
    hyperparameters: Mapping[str, object] | None,
    validation: ValidationSettings | Mapping[str, object] | None,
    search: SearchSettings | Mapping[str, object] | None,
    idempotency_key: str | None,
) -> RequestSpec:
    body: dict[str, object] = {
        "model": model if isinstance(model, str) else list(model),
        "dataset_id": dataset_id,
        "target": target,
        "features": list(features) if features is not None else None,
        "hyperparameters": dict(hyperparameters or {}),
    }
    if validation is not None:
        body["validation"] = _settings(validation, "validation")
    if search is not None:
        body["search"] = _settings(search, "search")
    return RequestSpec("POST", "/v1/training-jobs", json=body, idempotency_key=idempotency_key)


class TrainingJobs(SyncAPIResource):
    """Training jobs of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> TrainingJobsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return TrainingJobsWithRawResponse(self)

    def create(
        self,
        *,
        model: str | Sequence[str],
        dataset_id: str,
        target: str | None = None,
        features: Sequence[str] | None = None,
        hyperparameters: Mapping[str, object] | None = None,
        validation: ValidationSettings | Mapping[str, object] | None = None,
        search: SearchSettings | Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """Queue a training job. The server checks the request against the dataset
        first (422 naming the problem): the job then cross-validates every
        candidate, keeps the best, and makes it a model of the tenant's.

        Args:
            model: An algorithm (``linear-regression``, ``ridge``,
                ``logistic-regression``, ``svm``, ``random-forest``, ``k-means``);
                a list of them compares them on the same folds.
            dataset_id: The dataset to learn from.
            target: The column to predict (none for ``k-means``).
            features: Columns to learn from; by default every usable column.
            hyperparameters: The algorithm's settings (per algorithm when comparing:
                ``{"ridge": {"alpha": 0.5}}``).
            validation: ``{"cv_folds": 5, "group_by": None, "seed": 0}``; rows sharing
                a ``group_by`` value (an engine, a part) stay in one fold.
            search: ``{"method": "grid" | "random", "space": {...}, "max_candidates": 20}``.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            _create_spec(
                model,
                dataset_id,
                target,
                features,
                hyperparameters,
                validation,
                search,
                idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, TrainingJob)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[TrainingJob]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(_COLLECTION, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[TrainingJob])

    def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(_COLLECTION, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, TrainingJob)

    def events(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[JobEvent]:
        """The job's log, oldest first: state changes, progress, and each fold's and
        candidate's metrics."""
        spec = per_call(
            events_spec(_COLLECTION, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[JobEvent])

    def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(_COLLECTION, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, TrainingJob)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[TrainingJob], object] | None = None,
    ) -> TrainingJob:
        """Poll the job until it has succeeded, failed or been cancelled; return it.

        Looks again after ``poll_interval`` seconds, waiting up to four times longer
        while the job shows no progress. ``on_progress`` gets the job each time its
        status or progress has changed. Raises :class:`aiaas.JobTimeoutError` after
        ``timeout`` seconds (by default the client's ``deadline``, if it has one);
        the job itself goes on.
        """
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        return wait_sync(lambda: self.retrieve(job_id), poll, on_progress)


class AsyncTrainingJobs(AsyncAPIResource):
    """Training jobs of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> AsyncTrainingJobsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return AsyncTrainingJobsWithRawResponse(self)

    async def create(
        self,
        *,
        model: str | Sequence[str],
        dataset_id: str,
        target: str | None = None,
        features: Sequence[str] | None = None,
        hyperparameters: Mapping[str, object] | None = None,
        validation: ValidationSettings | Mapping[str, object] | None = None,
        search: SearchSettings | Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """Queue a training job. The server checks the request against the dataset
        first (422 naming the problem): the job then cross-validates every
        candidate, keeps the best, and makes it a model of the tenant's.

        Args:
            model: An algorithm (``linear-regression``, ``ridge``,
                ``logistic-regression``, ``svm``, ``random-forest``, ``k-means``);
                a list of them compares them on the same folds.
            dataset_id: The dataset to learn from.
            target: The column to predict (none for ``k-means``).
            features: Columns to learn from; by default every usable column.
            hyperparameters: The algorithm's settings (per algorithm when comparing:
                ``{"ridge": {"alpha": 0.5}}``).
            validation: ``{"cv_folds": 5, "group_by": None, "seed": 0}``; rows sharing
                a ``group_by`` value (an engine, a part) stay in one fold.
            search: ``{"method": "grid" | "random", "space": {...}, "max_candidates": 20}``.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            _create_spec(
                model,
                dataset_id,
                target,
                features,
                hyperparameters,
                validation,
                search,
                idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, TrainingJob)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[TrainingJob]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(_COLLECTION, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[TrainingJob])

    async def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(_COLLECTION, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, TrainingJob)

    def events(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[JobEvent]:
        """The job's log, oldest first: state changes, progress, and each fold's and
        candidate's metrics."""
        spec = per_call(
            events_spec(_COLLECTION, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[JobEvent])

    async def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TrainingJob:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(_COLLECTION, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, TrainingJob)

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[TrainingJob], object] | None = None,
    ) -> TrainingJob:
        """Poll the job until it has succeeded, failed or been cancelled; return it.

        Looks again after ``poll_interval`` seconds, waiting up to four times longer
        while the job shows no progress. ``on_progress`` gets the job each time its
        status or progress has changed. Raises :class:`aiaas.JobTimeoutError` after
        ``timeout`` seconds (by default the client's ``deadline``, if it has one);
        the job itself goes on.
        """
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        return await wait_async(lambda: self.retrieve(job_id), poll, on_progress)


class TrainingJobsWithRawResponse:
    def __init__(self, resource: TrainingJobs) -> None:
        self.create: Final = to_raw_response_wrapper(resource.create)
        self.list: Final = to_raw_response_wrapper(resource.list)
        self.retrieve: Final = to_raw_response_wrapper(resource.retrieve)
        self.events: Final = to_raw_response_wrapper(resource.events)
        self.cancel: Final = to_raw_response_wrapper(resource.cancel)
        self.wait: Final = to_raw_response_wrapper(resource.wait)


class AsyncTrainingJobsWithRawResponse:
    def __init__(self, resource: AsyncTrainingJobs) -> None:
        self.create: Final = async_to_raw_response_wrapper(resource.create)
        self.list: Final = async_to_raw_response_wrapper(resource.list)
        self.retrieve: Final = async_to_raw_response_wrapper(resource.retrieve)
        self.events: Final = async_to_raw_response_wrapper(resource.events)
        self.cancel: Final = async_to_raw_response_wrapper(resource.cancel)
        self.wait: Final = async_to_raw_response_wrapper(resource.wait)
