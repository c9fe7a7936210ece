"""Why an upload cannot become a dataset: each a 4xx with a stable code."""

from __future__ import annotations

from typing import Any


class MalformedDataset(Exception):
    """An upload that cannot become a dataset; ``line`` and ``column`` say where."""

    def __init__(
        self, code: str, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the ingest process, it travels back to the server pickled.
        return (_malformed, (self.code, self.message, self.line, self.column))


def _malformed(code: str, message: str, line: int | None, column: str | None) -> MalformedDataset:
    return MalformedDataset(code, message, line=line, column=column)


class DatasetTooLarge(Exception):
    def __init__(self, limit: int, line: int) -> None:
        super().__init__(f"The upload exceeds the dataset limit of {limit} bytes (at line {line}).")
        self.limit = limit
        self.line = line
