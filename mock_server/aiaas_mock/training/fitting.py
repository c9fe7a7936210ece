"""Fitting the tabular algorithms with scikit-learn, on a worker.

Only a job's units import this module (see :mod:`.units`): scikit-learn costs
1.2 s and 120 MB to import, which the API process never pays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ..zoo.kit.linear_pipeline import LinearPipeline
from ..zoo.kit.rbf_svm import PlattRbfSvm
from .algorithms import (
    Algorithm,
    ClassifierParams,
    Clusterer,
    FittedModel,
    Forest,
    Hyperparameters,
    LinearRegressor,
    sort_key,
    standardise,
)

SILHOUETTE_SAMPLE = 2000


def fit(
    algorithm: Algorithm,
    hyperparameters: Hyperparameters,
    x: NDArray[np.float64],
    y: NDArray[Any] | None,
    seed: int,
) -> FittedModel:
    """``algorithm`` fitted to rows ``x`` (and targets ``y``) with scikit-learn."""
    if algorithm.task == "clustering":
        return _cluster(hyperparameters, x, seed)
    assert y is not None
    if algorithm.task == "regression":
        return _regress(algorithm, hyperparameters, x, y.astype(np.float64), seed)
    return _classify(algorithm, hyperparameters, x, y, seed)


def _cluster(hyperparameters: Hyperparameters, x: NDArray[np.float64], seed: int) -> Clusterer:
    hp: Any = hyperparameters
    mean, scale = standardise(x)
    kmeans = KMeans(n_clusters=hp.n_clusters, n_init=4, random_state=seed)
    kmeans.fit((x - mean) / scale)
    return Clusterer(mean, scale, np.asarray(kmeans.cluster_centers_, dtype=np.float64))


def _regress(
    algorithm: Algorithm,
    hyperparameters: Hyperparameters,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    seed: int,
) -> FittedModel:
    hp: Any = hyperparameters
    if algorithm.name == "random-forest":
        forest = RandomForestRegressor(
            n_estimators=hp.n_estimators,
            max_depth=hp.max_depth,
            min_samples_leaf=hp.min_samples_leaf,
            random_state=seed,
            n_jobs=1,
        ).fit(x, y)
        return Forest.from_sklearn(forest, classification=False)
    mean, scale = standardise(x)
    regressor = Ridge(alpha=hp.alpha) if algorithm.name == "ridge" else LinearRegression()
    regressor.fit((x - mean) / scale, y)
    return LinearRegressor(
        mean, scale, np.asarray(regressor.coef_, dtype=np.float64), float(regressor.intercept_)
    )


def _classify(
    algorithm: Algorithm,
    hyperparameters: Hyperparameters,
    x: NDArray[np.float64],
    y: NDArray[Any],
    seed: int,
) -> ClassifierParams:
    hp: Any = hyperparameters
    classes = sorted(set(y.tolist()), key=sort_key)
    index = {label: i for i, label in enumerate(classes)}
    codes = np.array([index[label] for label in y.tolist()], dtype=np.int64)
    if algorithm.name == "logistic-regression":
        pipeline = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=hp.C, class_weight=hp.class_weight, max_iter=2000),
        ).fit(x, codes)
        return ClassifierParams(classes, "logistic", LinearPipeline.from_pipeline(pipeline))
    if algorithm.name == "svm":
        calibrated = CalibratedClassifierCV(
            make_pipeline(StandardScaler(), SVC(C=hp.C, gamma=hp.gamma, kernel="rbf")),
            method="sigmoid",
            ensemble=False,
            cv=3,
        ).fit(x, codes)
        return ClassifierParams(classes, "svm", PlattRbfSvm.from_calibrated(calibrated))
    forest = RandomForestClassifier(
        n_estimators=hp.n_estimators,
        max_depth=hp.max_depth,
        min_samples_leaf=hp.min_samples_leaf,
        random_state=seed,
        n_jobs=1,
    ).fit(x, codes)
    return ClassifierParams(classes, "forest", Forest.from_sklearn(forest, True))


def clustering_metrics(
    scaled: NDArray[np.float64],
    labels: NDArray[np.int64],
    distances: NDArray[np.float64],
    seed: int,
) -> dict[str, float]:
    metrics = {"inertia_per_row": float((distances**2).mean())}
    if 1 < len(set(labels.tolist())) < len(labels):
        metrics["silhouette"] = float(
            silhouette_score(
                scaled, labels, sample_size=min(SILHOUETTE_SAMPLE, len(labels)), random_state=seed
            )
        )
    else:
        metrics["silhouette"] = -1.0
    return metrics
