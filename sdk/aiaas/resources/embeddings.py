"""``client.embeddings``: vectors of texts, OpenAI-compatible."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Final

import httpx

from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.embedding import EmbeddingResponse
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = [
    "AsyncEmbeddings",
    "AsyncEmbeddingsWithRawResponse",
    "Embeddings",
    "EmbeddingsWithRawResponse",
]


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
    @cached_property
    def with_raw_response(self) -> EmbeddingsWithRawResponse:
        """The same method, returning the HTTP answer with ``.parse()``."""
        return EmbeddingsWithRawResponse(self)

    def create(
        self,
        *,
        model: str,
        input: str | Sequence[str],
        dimensions: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> EmbeddingResponse:
        """One unit-length vector per text of ``input``, in order (``data[i].index == i``).

        Args:
            model: An embedding model, e.g. ``maintenance-word2vec``.
            input: A text or a sequence of texts.
            dimensions: The vector length you expect; the server refuses others.
            extra_headers, extra_query, extra_body, timeout: this call's own
                options, over the client's (see docs/sdk.md).
        """
        spec = per_call(
            _create_spec(model, input, dimensions, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, EmbeddingResponse)


class AsyncEmbeddings(AsyncAPIResource):
    @cached_property
    def with_raw_response(self) -> AsyncEmbeddingsWithRawResponse:
        """The same method, returning the HTTP answer with ``.parse()``."""
        return AsyncEmbeddingsWithRawResponse(self)

    async def create(
        self,
        *,
        model: str,
        input: str | Sequence[str],
        dimensions: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> EmbeddingResponse:
        """One unit-length vector per text of ``input``, in order (``data[i].index == i``).

        Args:
            model: An embedding model, e.g. ``maintenance-word2vec``.
            input: A text or a sequence of texts.
            dimensions: The vector length you expect; the server refuses others.
            extra_headers, extra_query, extra_body, timeout: this call's own
                options, over the client's (see docs/sdk.md).
        """
        spec = per_call(
            _create_spec(model, input, dimensions, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, EmbeddingResponse)


class EmbeddingsWithRawResponse:
    def __init__(self, embeddings: Embeddings) -> None:
        self.create: Final = to_raw_response_wrapper(embeddings.create)


class AsyncEmbeddingsWithRawResponse:
    def __init__(self, embeddings: AsyncEmbeddings) -> None:
        self.create: Final = async_to_raw_response_wrapper(embeddings.create)
