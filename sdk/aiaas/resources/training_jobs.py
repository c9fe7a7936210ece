"""``client.training_jobs``: train models on the tenant's datasets and follow them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Final, Literal

import httpx

from .._pages import AsyncPaginator, SyncPage
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.list_response import ListResponse
from ..types.training_job import (
    OutOfFoldPrediction,
    SearchSettings,
    ThresholdTarget,
    TrainingJob,
    ValidationSettings,
)
from ._jobs import AsyncJobs, SyncJobs, job_path

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

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
    raise TypeError(f"{name} must be a mapping or a pydantic model of aiaas.types")


def _create_spec(
    model: str | Sequence[str],
    dataset_id: str,
    target: str | None,
    features: Sequence[str] | None,
    hyperparameters: Mapping[str, object] | None,
    validation: ValidationSettings | Mapping[str, object] | None,
    search: SearchSettings | Mapping[str, object] | None,
    metric: str | None,
    threshold: Literal["f1"] | ThresholdTarget | Mapping[str, float] | None,
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
    if metric is not None:
        body["metric"] = metric
    if threshold is not None:
        body["threshold"] = (
            threshold if isinstance(threshold, str) else _settings(threshold, "threshold")
        )
    return RequestSpec("POST", "/v1/training-jobs", json=body, idempotency_key=idempotency_key)


def _out_of_fold_spec(job_id: str, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec(
        "GET",
        f"{job_path(_COLLECTION, job_id)}/out-of-fold",
        params={"limit": limit, "after": after},
    )


_OUT_OF_FOLD_DOC = """The chosen candidate's answer for every training row, each from the fold
        that held the row out, in row order (pages of up to 1,000, default 100):
        ``index``, ``truth``, ``predicted`` and a classifier's ``probabilities``.
        What a confusion matrix or ROC curve of the model should be drawn from
        (``aiaas.plots``). Kept for datasets of up to 200,000 rows; none for
        clustering or fine-tuned families. Needs ``datasets:read``."""


class TrainingJobs(SyncJobs[TrainingJob]):
    """Training jobs of this client's tenant."""

    def __init__(self, client: Client) -> None:
        super().__init__(client, _COLLECTION, TrainingJob)

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
        metric: str | None = None,
        threshold: Literal["f1"] | ThresholdTarget | Mapping[str, float] | None = None,
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
                ``logistic-regression``, ``svm``, ``random-forest``,
                ``hist-gradient-boosting``, ``k-means``) or a zoo family to fine-tune;
                a list of algorithms compares them on the same folds.
            dataset_id: The dataset to learn from.
            target: The column to predict (none for ``k-means``).
            features: Columns to learn from; by default every usable column.
            hyperparameters: The algorithm's settings (per algorithm when comparing:
                ``{"ridge": {"alpha": 0.5}}``).
            validation: ``{"cv_folds": 5, "group_by": None, "seed": 0}``; rows sharing
                a ``group_by`` value (an engine, a part) stay in one fold.
            search: ``{"method": "grid" | "random", "space": {...}, "max_candidates": 20}``;
                when comparing, ``space`` is per algorithm: ``{"ridge": {"alpha": [...]}}``.
            metric: What ranks the candidates (``f1``, ``pr_auc``, ``roc_auc``,
                ``balanced_accuracy``, ``recall``, ``precision``, ``accuracy``,
                ``log_loss``; ``rmse``, ``mae``, ``r2``).
            threshold: For two classes, tune the decision threshold on out-of-fold
                probabilities: ``"f1"``, or ``{"min_recall": 0.9}`` /
                ``{"min_precision": 0.8}``. Stored with the model and used by
                ``predict`` and batch predictions.
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
                metric,
                threshold,
                idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, TrainingJob)

    def out_of_fold(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[OutOfFoldPrediction]:
        spec = per_call(
            _out_of_fold_spec(job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[OutOfFoldPrediction])

    out_of_fold.__doc__ = _OUT_OF_FOLD_DOC


class AsyncTrainingJobs(AsyncJobs[TrainingJob]):
    """Training jobs of this client's tenant."""

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client, _COLLECTION, TrainingJob)

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
        metric: str | None = None,
        threshold: Literal["f1"] | ThresholdTarget | Mapping[str, float] | None = None,
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
                ``logistic-regression``, ``svm``, ``random-forest``,
                ``hist-gradient-boosting``, ``k-means``) or a zoo family to fine-tune;
                a list of algorithms compares them on the same folds.
            dataset_id: The dataset to learn from.
            target: The column to predict (none for ``k-means``).
            features: Columns to learn from; by default every usable column.
            hyperparameters: The algorithm's settings (per algorithm when comparing:
                ``{"ridge": {"alpha": 0.5}}``).
            validation: ``{"cv_folds": 5, "group_by": None, "seed": 0}``; rows sharing
                a ``group_by`` value (an engine, a part) stay in one fold.
            search: ``{"method": "grid" | "random", "space": {...}, "max_candidates": 20}``;
                when comparing, ``space`` is per algorithm: ``{"ridge": {"alpha": [...]}}``.
            metric: What ranks the candidates (``f1``, ``pr_auc``, ``roc_auc``,
                ``balanced_accuracy``, ``recall``, ``precision``, ``accuracy``,
                ``log_loss``; ``rmse``, ``mae``, ``r2``).
            threshold: For two classes, tune the decision threshold on out-of-fold
                probabilities: ``"f1"``, or ``{"min_recall": 0.9}`` /
                ``{"min_precision": 0.8}``. Stored with the model and used by
                ``predict`` and batch predictions.
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
                metric,
                threshold,
                idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, TrainingJob)

    def out_of_fold(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[OutOfFoldPrediction]:
        spec = per_call(
            _out_of_fold_spec(job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[OutOfFoldPrediction])

    out_of_fold.__doc__ = _OUT_OF_FOLD_DOC


class TrainingJobsWithRawResponse:
    def __init__(self, resource: TrainingJobs) -> None:
        self.create: Final = to_raw_response_wrapper(resource.create)
        self.list: Final = to_raw_response_wrapper(resource.list)
        self.retrieve: Final = to_raw_response_wrapper(resource.retrieve)
        self.events: Final = to_raw_response_wrapper(resource.events)
        self.cancel: Final = to_raw_response_wrapper(resource.cancel)
        self.wait: Final = to_raw_response_wrapper(resource.wait)
        self.out_of_fold: Final = to_raw_response_wrapper(resource.out_of_fold)


class AsyncTrainingJobsWithRawResponse:
    def __init__(self, resource: AsyncTrainingJobs) -> None:
        self.create: Final = async_to_raw_response_wrapper(resource.create)
        self.list: Final = async_to_raw_response_wrapper(resource.list)
        self.retrieve: Final = async_to_raw_response_wrapper(resource.retrieve)
        self.events: Final = async_to_raw_response_wrapper(resource.events)
        self.cancel: Final = async_to_raw_response_wrapper(resource.cancel)
        self.wait: Final = async_to_raw_response_wrapper(resource.wait)
        self.out_of_fold: Final = async_to_raw_response_wrapper(resource.out_of_fold)
