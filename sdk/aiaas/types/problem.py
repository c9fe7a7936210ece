"""RFC 9457 problem details, the body of every error response."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """One invalid field of a request."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    field: str
    """Dotted location of the field, e.g. ``body.inputs.0.torque``."""
    message: str
    type: str | None = None


class Problem(BaseModel):
    """An error answer of the service (``application/problem+json``)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str
    """Stable snake_case identifier of the error, safe to branch on."""
    request_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
