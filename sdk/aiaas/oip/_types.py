"""What an inference server answers besides tensors: its metadata, its models'
metadata, the repository index, and an inference result. Parsed leniently, as
engines differ (``versions`` absent, null or a list; ``model_version`` absent,
null or a string; unknown keys ignored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from ._tensor import Tensor

__all__ = ["InferResult", "ModelMetadata", "RepositoryModel", "ServerMetadata", "TensorMetadata"]


class _Lenient(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())


class ServerMetadata(_Lenient):
    name: str
    version: str = ""
    extensions: list[str] = []

    @field_validator("extensions", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class TensorMetadata(_Lenient):
    name: str
    datatype: str
    shape: list[int]
    """-1 marks a dimension of any size."""
    parameters: dict[str, Any] = {}
    """Engine hints, such as MLServer's and the aiaas mock's ``content_type``."""

    @field_validator("parameters", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class ModelMetadata(_Lenient):
    name: str
    platform: str = ""
    versions: list[str] = []
    inputs: list[TensorMetadata] = []
    outputs: list[TensorMetadata] = []

    @field_validator("versions", "inputs", "outputs", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("platform", mode="before")
    @classmethod
    def _none_is_blank(cls, value: Any) -> Any:
        return "" if value is None else value

    def input(self, name: str) -> TensorMetadata:
        return _named(self.inputs, name, self.name)

    def output(self, name: str) -> TensorMetadata:
        return _named(self.outputs, name, self.name)


class RepositoryModel(_Lenient):
    name: str
    version: str | None = None
    state: str = ""
    reason: str = ""


def _named(tensors: list[TensorMetadata], name: str, model: str) -> TensorMetadata:
    for tensor in tensors:
        if tensor.name == name:
            return tensor
    raise KeyError(f"model {model!r} declares no tensor {name!r}")


@dataclass
class InferResult:
    """An inference answer: the outputs, reshaped by the shapes the server sent."""

    model_name: str
    model_version: str | None
    id: str | None
    parameters: dict[str, Any]
    outputs: list[Tensor] = field(default_factory=list)

    def output(self, name: str) -> Tensor:
        for tensor in self.outputs:
            if tensor.name == name:
                return tensor
        raise KeyError(f"no output {name!r}; the answer has {[t.name for t in self.outputs]}")

    def as_numpy(self, name: str) -> Any:
        """Output ``name`` as a numpy array (needs numpy)."""
        return self.output(name).to_numpy()
