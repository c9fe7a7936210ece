"""``regime-kmeans`` as the server offers it: flight settings in, the regime, its
distance and its centre out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from aiaas.types.inputs import FlightSettings
from aiaas.types.outputs import RegimeAssignment, RegimeCentre

from ..model_spec import ModelAdapter, ModelSpec
from .model import RegimeClusterer


class RegimeParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


def as_matrix(inputs: Sequence[FlightSettings]) -> NDArray[np.float64]:
    return np.array([[s.altitude, s.mach, s.throttle_resolver_angle] for s in inputs], dtype=float)


SPEC = ModelSpec(
    id="regime-kmeans",
    task="clustering",
    algorithm="scikit-learn KMeans on standardised settings, k chosen by silhouette",
    version="1.0.0",
    description="Operating regime of a turbofan cycle from altitude, Mach number and "
    "throttle resolver angle, as in C-MAPSS FD002.",
    data="Generated cycles over the six FD002 operating conditions with setting noise; "
    "trained on 3,000 cycles.",
    evaluation="adjusted Rand index against the true regimes on 3,000 held-out generated "
    "cycles; silhouette and k of the fitted clustering.",
    input_type=FlightSettings,
    output_type=RegimeAssignment,
    parameters_type=RegimeParameters,
)


class RegimePredictor(ModelAdapter[RegimeClusterer]):
    """The clusterer answering for validated flight settings."""

    def predict(
        self, inputs: Sequence[FlightSettings], parameters: RegimeParameters
    ) -> list[BaseModel]:
        regimes, distances = self.model.assign(as_matrix(inputs))
        centres = [
            RegimeCentre(
                altitude=round(float(c[0]), 4) + 0.0,  # + 0.0 turns -0.0 into 0.0
                mach=round(float(c[1]), 4) + 0.0,
                throttle_resolver_angle=round(float(c[2]), 4) + 0.0,
            )
            for c in self.model.centres()
        ]
        return [
            RegimeAssignment(regime=int(r), distance=round(float(d), 6), centre=centres[r])
            for r, d in zip(regimes, distances, strict=True)
        ]
