"""``rul-lstm`` as the server offers it: inputs, outputs, loading and training."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from aiaas.types.outputs import RulPrediction

from . import rul
from .base import ModelSpec
from .scaling import Scaler
from .shipped import ShippedModel, weights_path
from .torch_support import load_weights, save_weights

MAX_CYCLES = 1000

Series = list[float]
SensorSeries: type[BaseModel] = create_model(
    "SensorSeries",
    __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
    **{
        name: (
            Series,
            Field(
                min_length=rul.WINDOW,
                max_length=MAX_CYCLES,
                description=f"Readings of {name}, oldest first",
            ),
        )
        for name in rul.SENSOR_NAMES
    },  # type: ignore[call-overload]
)


class SensorWindow(BaseModel):
    """The latest readings of one engine: each of the 14 FD001 sensors over the same
    cycles, oldest first; at least 30 cycles (only the last 30 are used).
    """

    model_config = ConfigDict(extra="forbid")

    sensors: SensorSeries  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _same_cycles(self) -> SensorWindow:
        lengths = {len(getattr(self.sensors, name)) for name in rul.SENSOR_NAMES}
        if len(lengths) != 1:
            raise ValueError("every sensor must have readings for the same cycles")
        return self

    def last_window(self) -> np.ndarray[Any, Any]:
        return np.column_stack(
            [getattr(self.sensors, name)[-rul.WINDOW :] for name in rul.SENSOR_NAMES]
        )


class RulParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RulPredictor:
    def __init__(self, network: Any, scaler: Scaler) -> None:
        self._network = network
        self._scaler = scaler

    def predict(self, inputs: Sequence[SensorWindow], parameters: RulParameters) -> list[BaseModel]:
        windows = np.stack([item.last_window() for item in inputs])
        predicted = rul.predict(self._network, self._scaler, windows)
        return [RulPrediction(rul=round(float(v), 2), rul_cap=rul.RUL_CAP) for v in predicted]


def restore(metadata: dict[str, Any], weights: Path) -> RulPredictor:
    network = rul.build_network()
    load_weights(network, weights, metadata["sha256"])
    return RulPredictor(network, Scaler.from_json(metadata["scaler"]))


def train_and_measure(directory: Path) -> dict[str, Any]:
    """Train on every window of 100 engines; measure on 100 others, each cut at a
    random cycle as in the C-MAPSS test files."""
    inputs, targets = rul.windows(rul.generate_engines(100, seed=0))
    network, scaler = rul.train(inputs, targets, seed=0)
    test_inputs, test_targets = rul.truncated_test_set(rul.generate_engines(100, seed=1), seed=2)
    metrics = rul.evaluate(network, scaler, test_inputs, test_targets, targets)
    metrics["published_fd001_lstm_rmse"] = 16.0
    return {
        "metrics": metrics,
        "scaler": scaler.to_json(),
        "sha256": save_weights(network, weights_path(SPEC.id, directory)),
        "data": {"train": "100 engines, seed 0", "test": "100 engines, seed 1, cut with seed 2"},
    }


SPEC = ModelSpec(
    id="rul-lstm",
    task="remaining-useful-life",
    algorithm="PyTorch LSTM (64 units) over 30-cycle windows of 14 sensors",
    version="1.0.0",
    description="Remaining useful life, in cycles and capped at 125, of a turbofan "
    "engine from its last 30 cycles of the 14 informative C-MAPSS FD001 sensors.",
    data="Synthetic run-to-failure engines imitating C-MAPSS FD001; trained on 100 "
    "engines, RMSE and NASA score on 100 held-out engines cut at random cycles, next to "
    "predicting the training mean (baseline_rmse). Published LSTMs reach an RMSE of "
    "about 16 on the real FD001.",
    input_type=SensorWindow,
    output_type=RulPrediction,
    parameters_type=RulParameters,
)

RUL_LSTM = ShippedModel(SPEC, restore, train_and_measure)
