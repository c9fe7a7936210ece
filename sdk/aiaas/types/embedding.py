"""Requests to and answers from ``POST /v1/embeddings``, shaped as OpenAI's."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .api_object import APIObject


class EmbeddingRequest(BaseModel):
    """Texts to embed with one model."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=128)
    input: str | list[str] | list[int] | list[list[int]] = Field(
        description="A text or a list of texts (token arrays are refused)"
    )
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = Field(default=None, max_length=256)


class Embedding(BaseModel):
    """The vector of ``input[index]``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float]


class EmbeddingUsage(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    prompt_tokens: int
    total_tokens: int


class EmbeddingResponse(APIObject):
    """One embedding per input text, in input order."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage
