"""``regime-kmeans``: which operating regime a turbofan's flight settings belong to.

The generator follows the six operating conditions of NASA's C-MAPSS FD002 data
(altitude, Mach number and throttle resolver angle), each observed with sensor
noise of the size seen in the real settings columns. k-means works on scaled
settings; k is chosen by the silhouette score, not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from aiaas.types.inputs import FlightSettings
from aiaas.types.outputs import RegimeAssignment, RegimeCentre

from .base import LoadedModel, ModelSpec, TrainedOnLoad

# (altitude in kft, Mach, throttle resolver angle in degrees), as in FD002.
OPERATING_CONDITIONS: tuple[tuple[float, float, float], ...] = (
    (0.0, 0.00, 100.0),
    (10.0, 0.25, 100.0),
    (20.0, 0.70, 100.0),
    (25.0, 0.62, 60.0),
    (35.0, 0.84, 100.0),
    (42.0, 0.84, 100.0),
)
SETTING_NOISE = (0.15, 0.003, 0.3)
K_CANDIDATES = range(2, 10)


class RegimeParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RegimeData:
    settings: NDArray[np.float64]
    regime: NDArray[np.int_]


def generate_cycles(n: int, seed: int) -> RegimeData:
    """``n`` engine cycles spread over the six regimes; the same seed gives the same data."""
    rng = np.random.default_rng(seed)
    regime = rng.integers(0, len(OPERATING_CONDITIONS), n)
    centres = np.array(OPERATING_CONDITIONS)[regime]
    settings = centres + rng.normal(0.0, 1.0, (n, 3)) * np.array(SETTING_NOISE)
    settings[:, 1] = np.abs(settings[:, 1])  # a Mach number is never negative
    return RegimeData(settings, regime)


def as_matrix(inputs: Sequence[FlightSettings]) -> NDArray[np.float64]:
    return np.array([[s.altitude, s.mach, s.throttle_resolver_angle] for s in inputs], dtype=float)


class RegimeClusterer:
    """A scaler and k-means whose clusters are numbered in a stable order."""

    def __init__(self, scaler: object, kmeans: object, order: NDArray[np.int_]) -> None:
        self._scaler = scaler
        self._kmeans = kmeans
        self._number = np.argsort(order)  # k-means label -> regime number
        self._order = order

    @property
    def k(self) -> int:
        return len(self._order)

    def assign(self, settings: NDArray[np.float64]) -> tuple[NDArray[np.int_], NDArray[np.float64]]:
        """Regime numbers and distances to the regime centres, in scaled units."""
        scaled = self._scaler.transform(settings)  # type: ignore[attr-defined]
        distances = self._kmeans.transform(scaled)  # type: ignore[attr-defined]
        labels = distances.argmin(axis=1)
        return self._number[labels], distances[np.arange(len(labels)), labels]

    def centres(self) -> NDArray[np.float64]:
        """Centres in original units, indexed by regime number."""
        centres = self._scaler.inverse_transform(self._kmeans.cluster_centers_)  # type: ignore[attr-defined]
        result: NDArray[np.float64] = centres[self._order]
        return result

    def predict(
        self, inputs: Sequence[FlightSettings], parameters: RegimeParameters
    ) -> list[BaseModel]:
        regimes, distances = self.assign(as_matrix(inputs))
        centres = [
            RegimeCentre(
                altitude=round(float(c[0]), 4) + 0.0,  # + 0.0 turns -0.0 into 0.0
                mach=round(float(c[1]), 4) + 0.0,
                throttle_resolver_angle=round(float(c[2]), 4) + 0.0,
            )
            for c in self.centres()
        ]
        return [
            RegimeAssignment(regime=int(r), distance=round(float(d), 6), centre=centres[r])
            for r, d in zip(regimes, distances, strict=True)
        ]


def train(data: RegimeData, seed: int = 0) -> tuple[RegimeClusterer, float]:
    """k-means with the k of best silhouette; returns the model and that silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(data.settings)
    scaled = scaler.transform(data.settings)
    best: tuple[float, object] | None = None
    for k in K_CANDIDATES:
        kmeans = KMeans(n_clusters=k, n_init=2, random_state=seed).fit(scaled)
        score = float(silhouette_score(scaled, kmeans.labels_, sample_size=1000, random_state=seed))
        if best is None or score > best[0]:
            best = (score, kmeans)
    assert best is not None
    score, kmeans = best
    centres = scaler.inverse_transform(kmeans.cluster_centers_)  # type: ignore[attr-defined]
    order = np.lexsort((centres[:, 2], centres[:, 0]))  # by altitude, then throttle
    return RegimeClusterer(scaler, kmeans, order), score


def evaluate(model: RegimeClusterer, data: RegimeData) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    regimes, _ = model.assign(data.settings)
    return {"adjusted_rand_index": round(float(adjusted_rand_score(data.regime, regimes)), 4)}


SPEC = ModelSpec(
    id="regime-kmeans",
    task="clustering",
    algorithm="scikit-learn KMeans on standardised settings, k chosen by silhouette",
    version="1.0.0",
    description="Operating regime of a turbofan cycle from altitude, Mach number and "
    "throttle resolver angle, as in C-MAPSS FD002.",
    data="Synthetic cycles over the six FD002 operating conditions with setting noise; "
    "trained on 3,000 cycles, metrics on 3,000 held-out cycles.",
    input_type=FlightSettings,
    output_type=RegimeAssignment,
    parameters_type=RegimeParameters,
)


def train_and_evaluate(data_seed: int) -> LoadedModel:
    """The served model: trained and measured on separate generated cycles."""
    model, silhouette = train(generate_cycles(3_000, data_seed), seed=data_seed)
    metrics = evaluate(model, generate_cycles(3_000, data_seed + 1))
    metrics.update(silhouette=round(silhouette, 4), k=float(model.k))
    return LoadedModel(SPEC, model, metrics)


REGIME_KMEANS = TrainedOnLoad(SPEC, train_and_evaluate)
