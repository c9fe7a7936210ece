"""``rul-lstm`` as the server offers it: its input (a window of the 14 sensors),
its output, and the predictor restored from the shipped weights."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from aiaas.types.outputs import RulPrediction

from ..kit.scaling import Scaler, ScalerState
from ..kit.torch_helpers import load_weights
from ..model_spec import ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .data import RUL_CAP, SENSOR_NAMES, WINDOW
from .network import build_network, predict

MAX_CYCLES = 1000

Series = list[float]
SensorSeries: type[BaseModel] = create_model(
    "SensorSeries",
    __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
    **{
        name: (
            Series,
            Field(
                min_length=WINDOW,
                max_length=MAX_CYCLES,
                description=f"Readings of {name}, oldest first",
            ),
        )
        for name in SENSOR_NAMES
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
        lengths = {len(getattr(self.sensors, name)) for name in SENSOR_NAMES}
        if len(lengths) != 1:
            raise ValueError("every sensor must have readings for the same cycles")
        return self

    def last_window(self) -> np.ndarray[Any, Any]:
        return np.column_stack([getattr(self.sensors, name)[-WINDOW:] for name in SENSOR_NAMES])


class RulParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RulPredictor:
    def __init__(self, network: Any, scaler: Scaler) -> None:
        self.network = network
        self.scaler = scaler

    def predict(self, inputs: Sequence[SensorWindow], parameters: RulParameters) -> list[BaseModel]:
        windows = np.stack([item.last_window() for item in inputs])
        predicted = predict(self.network, self.scaler, windows)
        return [RulPrediction(rul=round(float(v), 2), rul_cap=RUL_CAP) for v in predicted]


class RulWeights(WeightsCard):
    scaler: ScalerState
    """Per-sensor standardisation, as in training."""


def restore(card: RulWeights, weights: Path, needs: Needs) -> RulPredictor:
    network = build_network()
    load_weights(network, weights)
    return RulPredictor(network, Scaler.from_state(card.scaler))


SPEC = ModelSpec(
    id="rul-lstm",
    task="remaining-useful-life",
    algorithm="PyTorch LSTM (64 units) over 30-cycle windows of 14 sensors",
    version="2.0.0",
    description="Remaining useful life, in cycles and capped at 125, of a turbofan "
    "engine from its last 30 cycles of the 14 informative C-MAPSS FD001 sensors.",
    data="Real: every 30-cycle window of the 100 run-to-failure engines of NASA's "
    "C-MAPSS FD001 training set (one operating condition, HPC degradation).",
    training_data="real",
    evaluation="5-fold cross-validation over engines (never a window of a training "
    "engine): each held-out engine cut at 10 random cycles, as the official test files "
    "cut theirs; nasa_score is the PHM08 score scaled to 100 engines; baseline_*: "
    "predicting the training windows' mean; generated_*: the served network on 100 "
    "generated engines.",
    references={"published_fd001_lstm_test_rmse": 16.0, "published_fd001_cnn_test_rmse": 12.5},
    input_type=SensorWindow,
    output_type=RulPrediction,
    parameters_type=RulParameters,
)
