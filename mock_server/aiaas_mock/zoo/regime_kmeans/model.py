"""The ``regime-kmeans`` model: k-means on scaled flight settings, k chosen by the
silhouette score, not given; clusters numbered by altitude, then throttle."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .data import RegimeData

K_CANDIDATES = range(2, 10)


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
