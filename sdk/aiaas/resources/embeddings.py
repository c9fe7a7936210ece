"""``client.embeddings``: vectors of texts, OpenAI-compatible."""

from __future__ import annotations

from collections.abc import Sequence

from .._request import RequestSpec
from ..types.embedding import EmbeddingResponse
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncEmbeddings", "Embeddings"]


def _create_spec(
    model: str, input: str | Sequence[str], dimensions: int | None, idempotency_key: str | None
) -> RequestSpec:
    texts = [input] if isinstance(input, str) else list(input)
    if not all(isinstance(text, str) for text in texts):
        raise TypeError("input must be a string or a sequence of strings")
    body: dict[str, object] = {"model": model, "input": texts, "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    return RequestSpec("POST", "/v1/embeddings", json=body, idempotency_key=idempotency_key)


class Embeddings(SyncAPIResource):
    def create(
        self,
        *,
        model: str,
        input: str | Sequence[str],
        dimensions: int | None = None,
        idempotency_key: str | None = None,
    ) -> EmbeddingResponse:
        """One unit-length vector per text of ``input``, in order (``data[i].index == i``).

        Args:
            model: An embedding model, e.g. ``maintenance-word2vec``.
            input: A text or a sequence of texts.
            dimensions: The vector length you expect; the server refuses others.
        """
        spec = _create_spec(model, input, dimensions, idempotency_key)
        return self._client._request(spec, EmbeddingResponse)


class AsyncEmbeddings(AsyncAPIResource):
    async def create(
        self,
        *,
        model: str,
        input: str | Sequence[str],
        dimensions: int | None = None,
        idempotency_key: str | None = None,
    ) -> EmbeddingResponse:
        """One unit-length vector per text of ``input``, in order (``data[i].index == i``).

        Args:
            model: An embedding model, e.g. ``maintenance-word2vec``.
            input: A text or a sequence of texts.
            dimensions: The vector length you expect; the server refuses others.
        """
        spec = _create_spec(model, input, dimensions, idempotency_key)
        return await self._client._request(spec, EmbeddingResponse)
