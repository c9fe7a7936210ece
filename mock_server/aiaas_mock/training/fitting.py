"""Fitting the tabular algorithms with scikit-learn, on a worker.

Only a job's units import this module (see :mod:`.units`): scikit-learn costs
1.2 s and 120 MB to import, which the API process never pays. Ensembles grow
in chunks (``warm_start``, which gives the same model as one fit), calling
``check`` between two so that a cancelled job stops within a chunk's time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import KMeans
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ..zoo.kit.linear_pipeline import LinearPipeline
from ..zoo.kit.rbf_svm import PlattRbfSvm
from .algorithms import (
    Algorithm,
    Boosting,
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
TREES_PER_CHUNK = 10
"""Trees (forests) or iterations (boosting) fitted between two checks for cancellation."""

Check = Callable[[], None]
"""Raises when the fit should stop (the job was cancelled)."""


def _nothing() -> None:
    return None


def fit(
    algorithm: Algorithm,
    hyperparameters: Hyperparameters,
    x: NDArray[np.float64],
    y: NDArray[Any] | None,
    seed: int,
    check: Check = _nothing,
) -> FittedModel:
    """``algorithm`` fitted to rows ``x`` (and targets ``y``) with scikit-learn."""
    if algorithm.task == "clustering":
        return _cluster(hyperparameters, x, seed)
    assert y is not None
    if algorithm.task == "regression":
        return _regress(algorithm, hyperparameters, x, y.astype(np.float64), seed, check)
    return _classify(algorithm, hyperparameters, x, y, seed, check)


def _grown(model: Any, size: str, total: int, x: Any, y: Any, check: Check) -> Any:
    """``model`` fitted with ``total`` trees (``size`` names the parameter), a chunk
    at a time."""
    model.set_params(warm_start=True)
    grown = 0
    with warnings.catch_warnings():
        # A class_weight preset is computed again on each chunk's fit: the same
        # rows every time here, so the same weights scikit-learn warns might differ.
        warnings.filterwarnings("ignore", "class_weight presets", UserWarning)
        while grown < total:
            grown = min(total, grown + TREES_PER_CHUNK)
            model.set_params(**{size: grown}).fit(x, y)
            check()
    return model


def _boosting(hp: Any, seed: int, classification: bool) -> Any:
    common = {
        "learning_rate": hp.learning_rate,
        "max_leaf_nodes": hp.max_leaf_nodes,
        "max_depth": hp.max_depth,
        "min_samples_leaf": hp.min_samples_leaf,
        "l2_regularization": hp.l2_regularization,
        "early_stopping": False,
        "random_state": seed,
    }
    if classification:
        return HistGradientBoostingClassifier(class_weight=hp.class_weight, **common)
    return HistGradientBoostingRegressor(**common)


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
    check: Check,
) -> FittedModel:
    hp: Any = hyperparameters
    if algorithm.name == "random-forest":
        forest = RandomForestRegressor(
            max_depth=hp.max_depth,
            min_samples_leaf=hp.min_samples_leaf,
            random_state=seed,
            n_jobs=1,
        )
        _grown(forest, "n_estimators", hp.n_estimators, x, y, check)
        return Forest.from_sklearn(forest, classification=False)
    if algorithm.name == "hist-gradient-boosting":
        boosting = _grown(_boosting(hp, seed, False), "max_iter", hp.max_iter, x, y, check)
        return Boosting.from_sklearn(boosting, classification=False)
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
    check: Check,
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
            make_pipeline(
                StandardScaler(),
                SVC(C=hp.C, gamma=hp.gamma, kernel="rbf", class_weight=hp.class_weight),
            ),
            method="sigmoid",
            ensemble=False,
            cv=3,
        ).fit(x, codes)
        return ClassifierParams(classes, "svm", PlattRbfSvm.from_calibrated(calibrated))
    if algorithm.name == "hist-gradient-boosting":
        boosting = _grown(_boosting(hp, seed, True), "max_iter", hp.max_iter, x, codes, check)
        return ClassifierParams(classes, "boosting", Boosting.from_sklearn(boosting, True))
    forest = RandomForestClassifier(
        max_depth=hp.max_depth,
        min_samples_leaf=hp.min_samples_leaf,
        class_weight=hp.class_weight,
        random_state=seed,
        n_jobs=1,
    )
    _grown(forest, "n_estimators", hp.n_estimators, x, codes, check)
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
