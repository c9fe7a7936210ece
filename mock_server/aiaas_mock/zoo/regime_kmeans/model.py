"""The ``regime-kmeans`` model: k-means on scaled flight settings, k chosen by the
silhouette score, not given; clusters numbered by altitude, then throttle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .data import RegimeData

K_CANDIDATES = range(2, 10)


@dataclass(frozen=True)
class RegimeClusterer:
    """Standardisation and k-means centres, served with numpy; regimes are numbered
    in a stable order (by altitude, then throttle)."""

    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    centres_scaled: NDArray[np.float64]
    """The k-means centres in scaled units, in k-means label order."""
    order: NDArray[np.int_]
    """k-means labels sorted into regime numbers: ``order[regime]`` is a label."""

    @property
    def k(self) -> int:
        return len(self.order)

    def assign(self, settings: NDArray[np.float64]) -> tuple[NDArray[np.int_], NDArray[np.float64]]:
        """Regime numbers and distances to the regime centres, in scaled units."""
        scaled = (settings - self.mean) / self.scale
        distances = np.sqrt(((scaled[:, None, :] - self.centres_scaled[None, :, :]) ** 2).sum(-1))
        labels = distances.argmin(axis=1)
        number = np.argsort(self.order)  # k-means label -> regime number
        return number[labels], distances[np.arange(len(labels)), labels]

    def centres(self) -> NDArray[np.float64]:
        """Centres in original units, indexed by regime number."""
        result: NDArray[np.float64] = (self.centres_scaled * self.scale + self.mean)[self.order]
        return result

    def to_params(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "centres_scaled": self.centres_scaled.tolist(),
            "order": self.order.tolist(),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RegimeClusterer:
        return cls(
            mean=np.array(params["mean"], dtype=np.float64),
            scale=np.array(params["scale"], dtype=np.float64),
            centres_scaled=np.array(params["centres_scaled"], dtype=np.float64),
            order=np.array(params["order"], dtype=np.int_),
        )


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
    centres_scaled = np.asarray(kmeans.cluster_centers_, dtype=np.float64)  # type: ignore[attr-defined]
    centres = scaler.inverse_transform(centres_scaled)
    order = np.lexsort((centres[:, 2], centres[:, 0]))  # by altitude, then throttle
    clusterer = RegimeClusterer(
        np.asarray(scaler.mean_, dtype=np.float64),
        np.asarray(scaler.scale_, dtype=np.float64),
        centres_scaled,
        order,
    )
    return clusterer, score


def evaluate(model: RegimeClusterer, data: RegimeData) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    regimes, _ = model.assign(data.settings)
    return {"adjusted_rand_index": round(float(adjusted_rand_score(data.regime, regimes)), 4)}
