"""The input of the maintenance-text models: one work order's text."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_TEXT_CHARS = 1000
"""Work orders are short; a longer text is refused rather than cut."""

MaintenanceText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS),
    Field(description="A maintenance work order or log entry, as written"),
]


class NoParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")
