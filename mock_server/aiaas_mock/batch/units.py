"""The unit of a batch prediction: one chunk of a dataset's rows through a model.

Like training units, a plain function a pool process or a Dask worker runs; it
loads the model with the worker's :func:`~aiaas_mock.model_loader.worker_models`.
A row that fails (an input the model refuses, an error computing it) carries
its error in its result; it never stops the chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..datasets.files import DatasetFiles, bytes_table, table_rows
from ..model_loader import ModelRef, worker_models
from ..workers import CancelFlag, Cancelled
from ..zoo.model_spec import LoadedModel, input_field_names, without_extra

PREDICT_BATCH = 256
"""Rows computed in one call of the model."""


@dataclass(frozen=True)
class RowsRef:
    """Rows ``start`` to ``stop`` of a dataset the worker can read from disk."""

    directory: str
    start: int
    stop: int


@dataclass(frozen=True)
class RowsData:
    """Rows sent along with their task (to a worker that cannot read the server's
    disk): the stored rows as an Arrow IPC stream, read on the worker."""

    types: dict[str, str]
    data: bytes


def _rows(source: RowsRef | RowsData) -> list[dict[str, Any]]:
    if isinstance(source, RowsRef):
        files = DatasetFiles(Path(source.directory))
        return list(files.iter_rows(source.start, source.stop))
    return table_rows(bytes_table(source.data), source.types)


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _invalid(exc: ValidationError) -> dict[str, str]:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return _error("invalid_input", f"{where}: {error['msg']}" if where else error["msg"])


def predict_unit(
    ref: ModelRef,
    source: RowsRef | RowsData,
    start: int,
    input_column: str | None,
    cancel: CancelFlag,
) -> list[str]:
    """The result of each row of the chunk that starts at row ``start``, as JSON
    texts of ``BatchResult``, in row order."""
    if cancel.is_set():
        raise Cancelled
    model = worker_models(ref.data_seed).load(ref)
    adapter: TypeAdapter[Any] = TypeAdapter(model.spec.input_type)
    fields = input_field_names(model.spec.input_type) if input_column is None else None
    parameters = model.spec.parameters_type()
    rows = _rows(source)
    results: list[dict[str, Any]] = [{"index": start + i} for i in range(len(rows))]
    valid: list[tuple[int, Any]] = []
    for i, row in enumerate(rows):
        if input_column is not None:
            value = row.get(input_column)
        else:
            # A row carries more than the model reads (ids, the target): pass it
            # the columns it takes (a job with ignore_extra=False was refused at
            # creation if it had others).
            value = without_extra(fields or [], row)
        try:
            valid.append((i, adapter.validate_python(value)))
        except ValidationError as exc:
            results[i]["error"] = _invalid(exc)
    for begin in range(0, len(valid), PREDICT_BATCH):
        if cancel.is_set():
            raise Cancelled
        batch = valid[begin : begin + PREDICT_BATCH]
        for (i, _), output in zip(
            batch, _predict(model, [v for _, v in batch], parameters), strict=True
        ):
            if isinstance(output, BaseModel):
                results[i]["output"] = output.model_dump(mode="json")
            else:
                results[i]["error"] = output
    return [json.dumps(result, separators=(",", ":")) for result in results]


def _predict(
    model: LoadedModel, inputs: list[Any], parameters: Any
) -> list[BaseModel | dict[str, str]]:
    try:
        return list(model.predictor.predict(inputs, parameters))
    except Exception:
        if len(inputs) == 1:
            return [_error("prediction_failed", "The model could not compute this row.")]
    outputs: list[BaseModel | dict[str, str]] = []
    for value in inputs:
        outputs.extend(_predict(model, [value], parameters))
    return outputs
