"""How ``energy-regression`` is trained, calibrated and measured when first
used: on consecutive periods of one generated two-year series."""

from __future__ import annotations

from ..model_spec import LoadedModel
from .data import generate_line_hours
from .model import evaluate, train
from .serving import SPEC, EnergyPredictor

_TRAIN_HOURS = 15 * 730


_CALIBRATION_HOURS = 3 * 730


def train_and_measure(data_seed: int) -> LoadedModel:
    """The served model: trained, calibrated and measured on consecutive periods."""
    hours = generate_line_hours(2 * 8760, data_seed)
    calibration_end = _TRAIN_HOURS + _CALIBRATION_HOURS
    train_part = hours.slice(0, _TRAIN_HOURS)
    calibration = hours.slice(_TRAIN_HOURS, calibration_end)
    model = train(train_part, calibration)
    metrics = evaluate(model, calibration, hours.slice(calibration_end))
    return LoadedModel(SPEC, EnergyPredictor(model), metrics)
