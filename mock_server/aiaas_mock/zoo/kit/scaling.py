"""Standardisation of sensor data, kept with a model so inference scales as training did."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict


class ScalerState(BaseModel):
    """A :class:`Scaler` as its weights card stores it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mean: list[float]
    std: list[float]


@dataclass(frozen=True)
class Scaler:
    """Per-channel mean and standard deviation; channels are the last axis."""

    mean: NDArray[np.float64]
    std: NDArray[np.float64]

    @classmethod
    def fit(cls, values: NDArray[np.float64]) -> Scaler:
        flat = values.reshape(-1, values.shape[-1])
        return cls(flat.mean(axis=0), flat.std(axis=0))

    def apply(self, values: NDArray[np.float64]) -> NDArray[np.float32]:
        return ((values - self.mean) / self.std).astype(np.float32)

    def state(self) -> ScalerState:
        return ScalerState(mean=self.mean.tolist(), std=self.std.tolist())

    @classmethod
    def from_state(cls, state: ScalerState) -> Scaler:
        return cls(np.array(state.mean), np.array(state.std))
