"""A model's typed inputs and outputs as Open Inference Protocol tensors.

Every model of the zoo takes rows (or texts) and answers rows. Over V2 each
field of a row is one tensor of shape ``[N]`` for N rows: numbers are FP64,
integers INT64, booleans BOOL, strings BYTES (UTF-8); a field holding a list
or an object (a sensor window, a probability table, entities) is BYTES whose
elements are that value's JSON text, marked ``content_type: json`` in the
metadata. A model whose input is plain text takes one BYTES tensor ``text``.
So the V2 answer for some rows is exactly the v1 answer, column by column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter

from aiaas.oip import Tensor

from ..zoo.model_spec import ModelSpec
from .problems import ProblemError

TEXT_INPUT = "text"
JSON_CONTENT = "json"


@dataclass(frozen=True)
class TensorField:
    name: str
    datatype: str
    json: bool = False
    """BYTES elements are JSON texts of the field's values."""
    required: bool = True

    def metadata(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name, "datatype": self.datatype, "shape": [-1]}
        if self.json:
            entry["parameters"] = {"content_type": JSON_CONTENT}
        return entry

    def decode(self, tensor: Tensor) -> list[Any]:
        """The field's values from a request tensor."""
        if self.datatype != "BYTES":
            return tensor.data
        try:
            texts = [item.decode("utf-8") for item in tensor.data]
            return [json.loads(text) for text in texts] if self.json else texts
        except (UnicodeDecodeError, ValueError):
            what = "JSON texts" if self.json else "UTF-8 texts"
            raise _bad(f"input '{self.name}' must hold {what}") from None

    def encode(self, values: list[Any]) -> Tensor:
        """An answer tensor of the field's values, one per row."""
        if self.datatype == "BYTES":
            data = [json.dumps(v, separators=(",", ":")) if self.json else str(v) for v in values]
            return Tensor(self.name, "BYTES", [len(values)], data)
        if self.datatype == "FP64":
            values = [float(v) for v in values]
        return Tensor(self.name, self.datatype, [len(values)], values)


@dataclass(frozen=True)
class TensorSignature:
    inputs: tuple[TensorField, ...]
    outputs: tuple[TensorField, ...]
    rows: bool
    """Inputs are rows of fields (else one text per input)."""

    def metadata(self, spec: ModelSpec) -> dict[str, Any]:
        return {
            "name": spec.id,
            "versions": [spec.version],
            "platform": f"aiaas:{spec.task}",
            "inputs": [field.metadata() for field in self.inputs],
            "outputs": [field.metadata() for field in self.outputs],
        }

    def rows_of(self, tensors: list[Tensor]) -> list[Any]:
        """The model's inputs (rows or texts) that request tensors carry."""
        known = {field.name: field for field in self.inputs}
        given: dict[str, list[Any]] = {}
        for tensor in tensors:
            field = known.get(tensor.name)
            if field is None:
                raise _bad(f"unexpected inference input '{tensor.name}'")
            if tensor.datatype != field.datatype:
                raise _bad(
                    f"input '{tensor.name}' has datatype {tensor.datatype}, "
                    f"the model expects {field.datatype}"
                )
            if len(tensor.shape) != 1 and not (len(tensor.shape) == 2 and tensor.shape[1] == 1):
                raise _bad(
                    f"input '{tensor.name}' must have shape [N] or [N,1], not {tensor.shape}"
                )
            given[tensor.name] = field.decode(tensor)
        missing = [f.name for f in self.inputs if f.required and f.name not in given]
        if missing:
            raise _bad(f"missing inference input(s) {', '.join(repr(m) for m in missing)}")
        counts = {len(values) for values in given.values()}
        if len(counts) != 1:
            raise _bad("every input must hold the same number of rows")
        (count,) = counts
        if not self.rows:
            return given[TEXT_INPUT]
        return [{name: values[i] for name, values in given.items()} for i in range(count)]

    def tensors_of(self, outputs: list[BaseModel], wanted: list[str] | None) -> list[Tensor]:
        """Answer tensors of the model's outputs, the ``wanted`` ones (all if None)."""
        fields = self.outputs
        if wanted is not None:
            by_name = {field.name: field for field in fields}
            unknown = [name for name in wanted if name not in by_name]
            if unknown:
                raise _bad(f"unexpected inference output '{unknown[0]}'")
            fields = tuple(by_name[name] for name in wanted)
        dumped = [output.model_dump(mode="json") for output in outputs]
        return [field.encode([row.get(field.name) for row in dumped]) for field in fields]


def signature(spec: ModelSpec) -> TensorSignature:
    # An output that may be null travels as JSON, which has a null.
    outputs = tuple(
        field if field.required else TensorField(field.name, "BYTES", json=True, required=False)
        for field in _fields(spec.output_type.model_json_schema())
    )
    if isinstance(spec.input_type, type) and issubclass(spec.input_type, BaseModel):
        inputs = tuple(_fields(spec.input_type.model_json_schema()))
        return TensorSignature(inputs, outputs, rows=True)
    schema = TypeAdapter(spec.input_type).json_schema()
    if schema.get("type") != "string":
        raise TypeError(f"{spec.id}: no tensor signature for inputs of schema {schema}")
    return TensorSignature((TensorField(TEXT_INPUT, "BYTES"),), outputs, rows=False)


def _fields(schema: dict[str, Any]) -> list[TensorField]:
    required = set(schema.get("required", ()))
    return [
        _field(name, prop, name in required) for name, prop in schema.get("properties", {}).items()
    ]


def _field(name: str, schema: dict[str, Any], required: bool) -> TensorField:
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    kind = options[0].get("type") if len(options) == 1 else None
    if kind is None and len(options) == 1 and ("enum" in options[0] or "const" in options[0]):
        kind = "string"
    scalar = {"number": "FP64", "integer": "INT64", "boolean": "BOOL", "string": "BYTES"}
    if kind in scalar:
        return TensorField(name, scalar[kind], required=required)
    return TensorField(name, "BYTES", json=True, required=required)


def _bad(message: str) -> ProblemError:
    return ProblemError(400, "invalid_tensor", message)
