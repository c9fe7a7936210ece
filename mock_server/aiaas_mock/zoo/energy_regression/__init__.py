"""``energy-regression``: kWh of a production line in an hour, with a prediction interval.

``data`` generates two years of line hours, ``model`` is the ridge regression
and its conformal interval, ``train`` fits and measures it (the parameters for
the default data seed ship, so that seed loads without training), ``serving``
is what the server calls.
"""

from __future__ import annotations

from ..entries import AdapterParams, TrainedOnLoad
from .model import EnergyModel
from .serving import SPEC, EnergyPredictor
from .train import train_and_measure

ENERGY_REGRESSION = TrainedOnLoad(
    SPEC, train_and_measure, codec=AdapterParams(EnergyPredictor, EnergyModel.from_params)
)
