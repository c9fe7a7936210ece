"""``client.models``: the model catalogue and predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._pages import AsyncPaginator, SyncPage
from .._request import RequestSpec, path_segment
from ..types.list_response import ListResponse
from ..types.model import Model
from ..types.prediction import Prediction
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncModels", "Models"]


def _list_spec(task: str | None, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec("GET", "/v1/models", params={"task": task, "limit": limit, "after": after})


def _retrieve_spec(model_id: str) -> RequestSpec:
    return RequestSpec("GET", f"/v1/models/{path_segment(model_id, 'model_id')}")


def _predict_spec(
    model_id: str,
    inputs: Sequence[Any],
    parameters: Mapping[str, Any] | None,
    idempotency_key: str | None,
) -> RequestSpec:
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError("inputs must be a sequence of examples, e.g. a list of dicts")
    return RequestSpec(
        "POST",
        f"/v1/models/{path_segment(model_id, 'model_id')}/predict",
        json={"inputs": list(inputs), "parameters": dict(parameters or {})},
        idempotency_key=idempotency_key,
    )


class Models(SyncAPIResource):
    """The models this client's tenant can call."""

    def list(
        self, *, task: str | None = None, limit: int | None = None, after: str | None = None
    ) -> SyncPage[Model]:
        """The first page of model cards; iterate it for every card of every page.

        Args:
            task: Only models of this task, e.g. ``tabular-classification``.
            limit: Page size, 1 to 100 (server default 20).
            after: A page's ``next_cursor``, saved earlier: resume the listing there.
        """
        return self._client._get_page(_list_spec(task, limit, after), ListResponse[Model])

    def retrieve(self, model_id: str) -> Model:
        """The card of one model."""
        return self._client._request(_retrieve_spec(model_id), Model)

    def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Any],
        parameters: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Prediction:
        """Run the model on ``inputs``; ``outputs[i]`` answers ``inputs[i]``.

        Retries reuse one idempotency key, so a retried call runs once on the server;
        pass ``idempotency_key`` to make repeated calls of your own safe as well.
        """
        spec = _predict_spec(model_id, inputs, parameters, idempotency_key)
        return self._client._request(spec, Prediction)


class AsyncModels(AsyncAPIResource):
    """The models this client's tenant can call."""

    def list(
        self, *, task: str | None = None, limit: int | None = None, after: str | None = None
    ) -> AsyncPaginator[Model]:
        """Await for the first page of model cards, or ``async for`` over every card.

        Args:
            task: Only models of this task, e.g. ``tabular-classification``.
            limit: Page size, 1 to 100 (server default 20).
            after: A page's ``next_cursor``, saved earlier: resume the listing there.
        """
        return self._client._get_page(_list_spec(task, limit, after), ListResponse[Model])

    async def retrieve(self, model_id: str) -> Model:
        """The card of one model."""
        return await self._client._request(_retrieve_spec(model_id), Model)

    async def predict(
        self,
        model_id: str,
        *,
        inputs: Sequence[Any],
        parameters: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Prediction:
        """Run the model on ``inputs``; ``outputs[i]`` answers ``inputs[i]``.

        Retries reuse one idempotency key, so a retried call runs once on the server;
        pass ``idempotency_key`` to make repeated calls of your own safe as well.
        """
        spec = _predict_spec(model_id, inputs, parameters, idempotency_key)
        return await self._client._request(spec, Prediction)
