"""``client.models``: the model catalogue and predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, Final, Protocol, TypeVar, overload

import httpx
from pydantic import BaseModel, ValidationError

from .._frames import ArrowStreamExportable, frame_kind, frame_records
from .._pages import AsyncPaginator, SyncPage
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, path_segment, per_call
from ..system_models import (
    EnergyInput,
    ImageInput,
    PumpInput,
    QualityInput,
    RegimeInput,
    SystemModel,
    TextInput,
)
from ..types.inputs import SensorWindow
from ..types.list_response import ListResponse
from ..types.model import Model, ModelDeleted, ModelUpdate
from ..types.prediction import Prediction
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncModels", "AsyncModelsWithRawResponse", "Models", "ModelsWithRawResponse"]


def _list_spec(task: str | None, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec("GET", "/v1/models", params={"task": task, "limit": limit, "after": after})


def _retrieve_spec(model_id: str) -> RequestSpec:
    return RequestSpec("GET", f"/v1/models/{path_segment(model_id, 'model_id')}")


def _delete_spec(model_id: str) -> RequestSpec:
    return RequestSpec("DELETE", f"/v1/models/{path_segment(model_id, 'model_id')}")


def _rename_spec(model_id: str, new_id: str, idempotency_key: str | None) -> RequestSpec:
    return RequestSpec(
        "PATCH",
        f"/v1/models/{path_segment(model_id, 'model_id')}",
        json=ModelUpdate(id=new_id).model_dump(),
        idempotency_key=idempotency_key,
    )


# One overload per input family (not one generic input type): a type checker
# then reads a dict literal in ``inputs`` as that family's TypedDict, and flags
# a misspelled key.
OutputT = TypeVar("OutputT")
ModelT = TypeVar("ModelT", bound=BaseModel)


class SupportsToList(Protocol):
    """A numpy array, or anything else that turns itself into nested lists."""

    def tolist(self) -> Any: ...


def _prediction_type(
    model_id: str | SystemModel[Any, Any], output_type: type[BaseModel] | None = None
) -> type[Prediction[Any]]:
    if isinstance(model_id, SystemModel):
        return Prediction[model_id.output_type]  # type: ignore[name-defined]
    if output_type is not None:
        return Prediction[output_type]  # type: ignore[valid-type]
    return Prediction[dict[str, Any]]


def _check_rows(row_type: type[BaseModel], examples: list[Any]) -> None:
    """Mapping inputs checked as the server checks them, before anything is sent."""
    for index, example in enumerate(examples):
        if isinstance(example, Mapping):
            try:
                row_type.model_validate(example)
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
                    for e in error.errors()
                )
                expected = ", ".join(row_type.model_fields)
                raise ValueError(
                    f"inputs[{index}] is not a {row_type.__name__}: {problems} "
                    f"(its fields: {expected})"
                ) from None


def _predict_spec(
    model_id: str | SystemModel[Any, Any],
    inputs: Sequence[Any] | SupportsToList | ArrowStreamExportable,
    parameters: Mapping[str, object] | None,
    idempotency_key: str | None,
    ignore_extra: bool = False,
) -> RequestSpec:
    # A handle names its model; None (a job's result before it has one) is refused
    # by path_segment rather than sent as the id 'None'.
    handle = model_id if isinstance(model_id, SystemModel) else None
    name = model_id.id if isinstance(model_id, SystemModel) else model_id
    kind = frame_kind(inputs)
    tolist = getattr(inputs, "tolist", None)
    if kind is not None:  # a DataFrame's rows, a Series' one row: keyed by column
        examples = frame_records(inputs, kind)
    elif callable(tolist):  # a numpy array: one example per row
        examples = tolist()
    elif isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError("inputs must be a sequence of examples, e.g. a list of dicts")
    else:
        examples = list(inputs)
    if not isinstance(examples, list):
        raise TypeError("inputs must hold at least one dimension of examples")
    if handle is not None and handle.row_type is not None and not ignore_extra:
        _check_rows(handle.row_type, examples)
    body: dict[str, object] = {"inputs": examples, "parameters": dict(parameters or {})}
    if ignore_extra:
        body["ignore_extra"] = True
    return RequestSpec(
        "POST",
        f"/v1/models/{path_segment(name, 'model_id')}/predict",
        json=body,
        idempotency_key=idempotency_key,
    )


class Models(SyncAPIResource):
    """The models this client's tenant can call."""

    @cached_property
    def with_raw_response(self) -> ModelsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return ModelsWithRawResponse(self)

    def list(
        self,
        *,
        task: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[Model]:
        """The first page of model cards; iterate it for every card of every page.

        Args:
            task: Only models of this task, e.g. ``tabular-classification``.
            limit: Page size, 1 to 100 (server default 20).
            after: A page's ``next_cursor``, saved earlier: resume the listing there.
            extra_headers, extra_query, extra_body, timeout: this call's own
                options, over the client's (see docs/sdk.md).
        """
        spec = per_call(
            _list_spec(task, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[Model])

    def retrieve(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Model:
        """The card of one model."""
        spec = per_call(
            _retrieve_spec(model_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, Model)

    def delete(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ModelDeleted:
        """Delete one of the tenant's own models (409 while a batch prediction uses it;
        403 for a system model)."""
        spec = per_call(
            _delete_spec(model_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, ModelDeleted)

    def rename(
        self,
        model_id: str,
        new_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Model:
        """Give one of the tenant's own models the id ``new_id``, its card otherwise
        unchanged (409 if the id is taken or a batch prediction uses the model)."""
        spec = per_call(
            _rename_spec(model_id, new_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, Model)

    @overload
    def predict(
        self,
        model_id: SystemModel[QualityInput, OutputT],
        *,
        inputs: Sequence[QualityInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[EnergyInput, OutputT],
        *,
        inputs: Sequence[EnergyInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[RegimeInput, OutputT],
        *,
        inputs: Sequence[RegimeInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[PumpInput, OutputT],
        *,
        inputs: Sequence[PumpInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[ImageInput, OutputT],
        *,
        inputs: Sequence[ImageInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[SensorWindow, OutputT],
        *,
        inputs: Sequence[SensorWindow],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    def predict(
        self,
        model_id: SystemModel[TextInput, OutputT],
        *,
        inputs: Sequence[TextInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...

    @overload
    def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Mapping[str, object]] | Sequence[str] | ArrowStreamExportable,
        output_type: type[ModelT],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[ModelT]: ...

    @overload
    def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Any] | SupportsToList | ArrowStreamExportable,
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[dict[str, Any]]: ...

    def predict(
        self,
        model_id: str | SystemModel[Any, Any],
        *,
        inputs: Sequence[Any] | SupportsToList | ArrowStreamExportable,
        output_type: type[BaseModel] | None = None,
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[Any]:
        """Run the model on ``inputs``; ``outputs[i]`` answers ``inputs[i]``.

        Name a system model by its handle (``aiaas.system_models.quality_logreg``)
        for checked inputs and typed outputs; by its id for plain dicts, or with
        ``output_type`` (e.g. ``aiaas.types.ClassPrediction`` for a classifier
        you trained) for typed outputs. ``ignore_extra=True`` leaves out fields of
        a row that the model does not take (ids, timestamps) instead of refusing them.
        Retries reuse one idempotency key, so a retried call runs once on the server;
        pass ``idempotency_key`` to make repeated calls of your own safe as well.
        """
        spec = per_call(
            _predict_spec(model_id, inputs, parameters, idempotency_key, ignore_extra),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, _prediction_type(model_id, output_type))


class AsyncModels(AsyncAPIResource):
    """The models this client's tenant can call."""

    @cached_property
    def with_raw_response(self) -> AsyncModelsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return AsyncModelsWithRawResponse(self)

    def list(
        self,
        *,
        task: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[Model]:
        """Await for the first page of model cards, or ``async for`` over every card.

        Args:
            task: Only models of this task, e.g. ``tabular-classification``.
            limit: Page size, 1 to 100 (server default 20).
            after: A page's ``next_cursor``, saved earlier: resume the listing there.
            extra_headers, extra_query, extra_body, timeout: this call's own
                options, over the client's (see docs/sdk.md).
        """
        spec = per_call(
            _list_spec(task, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[Model])

    async def retrieve(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Model:
        """The card of one model."""
        spec = per_call(
            _retrieve_spec(model_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, Model)

    async def delete(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ModelDeleted:
        """Delete one of the tenant's own models (409 while a batch prediction uses it;
        403 for a system model)."""
        spec = per_call(
            _delete_spec(model_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, ModelDeleted)

    async def rename(
        self,
        model_id: str,
        new_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Model:
        """Give one of the tenant's own models the id ``new_id``, its card otherwise
        unchanged (409 if the id is taken or a batch prediction uses the model)."""
        spec = per_call(
            _rename_spec(model_id, new_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, Model)

    @overload
    async def predict(
        self,
        model_id: SystemModel[QualityInput, OutputT],
        *,
        inputs: Sequence[QualityInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[EnergyInput, OutputT],
        *,
        inputs: Sequence[EnergyInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[RegimeInput, OutputT],
        *,
        inputs: Sequence[RegimeInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[PumpInput, OutputT],
        *,
        inputs: Sequence[PumpInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[ImageInput, OutputT],
        *,
        inputs: Sequence[ImageInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[SensorWindow, OutputT],
        *,
        inputs: Sequence[SensorWindow],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...
    @overload
    async def predict(
        self,
        model_id: SystemModel[TextInput, OutputT],
        *,
        inputs: Sequence[TextInput],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[OutputT]: ...

    @overload
    async def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Mapping[str, object]] | Sequence[str] | ArrowStreamExportable,
        output_type: type[ModelT],
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[ModelT]: ...

    @overload
    async def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Any] | SupportsToList | ArrowStreamExportable,
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[dict[str, Any]]: ...

    async def predict(
        self,
        model_id: str | SystemModel[Any, Any],
        *,
        inputs: Sequence[Any] | SupportsToList | ArrowStreamExportable,
        output_type: type[BaseModel] | None = None,
        parameters: Mapping[str, object] | None = None,
        ignore_extra: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Prediction[Any]:
        """Run the model on ``inputs``; ``outputs[i]`` answers ``inputs[i]``.

        Name a system model by its handle (``aiaas.system_models.quality_logreg``)
        for checked inputs and typed outputs; by its id for plain dicts, or with
        ``output_type`` (e.g. ``aiaas.types.ClassPrediction`` for a classifier
        you trained) for typed outputs. ``ignore_extra=True`` leaves out fields of
        a row that the model does not take (ids, timestamps) instead of refusing them.
        Retries reuse one idempotency key, so a retried call runs once on the server;
        pass ``idempotency_key`` to make repeated calls of your own safe as well.
        """
        spec = per_call(
            _predict_spec(model_id, inputs, parameters, idempotency_key, ignore_extra),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, _prediction_type(model_id, output_type))


class ModelsWithRawResponse:
    def __init__(self, models: Models) -> None:
        self.list: Final = to_raw_response_wrapper(models.list)
        self.retrieve: Final = to_raw_response_wrapper(models.retrieve)
        self.delete: Final = to_raw_response_wrapper(models.delete)
        self.rename: Final = to_raw_response_wrapper(models.rename)
        self.predict: Final = to_raw_response_wrapper(models.predict)


class AsyncModelsWithRawResponse:
    def __init__(self, models: AsyncModels) -> None:
        self.list: Final = async_to_raw_response_wrapper(models.list)
        self.retrieve: Final = async_to_raw_response_wrapper(models.retrieve)
        self.delete: Final = async_to_raw_response_wrapper(models.delete)
        self.rename: Final = async_to_raw_response_wrapper(models.rename)
        self.predict: Final = async_to_raw_response_wrapper(models.predict)
