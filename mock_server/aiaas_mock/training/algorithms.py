"""The tabular algorithms a tenant can train, and the fitted models they become.

Each algorithm names its task and validates its hyperparameters (bounded, so a
job's cost stays bounded). A fitted model writes its parameters as JSON, reads
them back and predicts with numpy, as the zoo's own tabular models do: serving
never imports scikit-learn. Fitting, which does, is :mod:`.fitting`, run on
a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ..zoo.kit.linear_pipeline import LinearPipeline, class_probabilities
from ..zoo.kit.rbf_svm import PlattRbfSvm

Task = Literal["classification", "regression", "clustering", "anomaly-detection"]


class Hyperparameters(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", frozen=True)


class NoHyperparameters(Hyperparameters):
    pass


class RidgeHyperparameters(Hyperparameters):
    alpha: float = Field(default=1.0, ge=1e-6, le=1e6)


class LogisticHyperparameters(Hyperparameters):
    C: float = Field(default=1.0, ge=1e-4, le=1e4)
    class_weight: Literal["balanced"] | None = None


class SvmHyperparameters(Hyperparameters):
    C: float = Field(default=1.0, ge=1e-3, le=1e3)
    gamma: float | Literal["scale"] = "scale"
    class_weight: Literal["balanced"] | None = None


class ForestHyperparameters(Hyperparameters):
    n_estimators: int = Field(default=50, ge=1, le=200)
    max_depth: int = Field(default=8, ge=1, le=16)
    min_samples_leaf: int = Field(default=1, ge=1, le=1000)


class ForestClassifierHyperparameters(ForestHyperparameters):
    class_weight: Literal["balanced", "balanced_subsample"] | None = None


class BoostingHyperparameters(Hyperparameters):
    max_iter: int = Field(default=100, ge=1, le=500)
    """Boosting iterations (trees per output); no early stopping, so the cost is known."""
    learning_rate: float = Field(default=0.1, ge=1e-3, le=1.0)
    max_leaf_nodes: int = Field(default=31, ge=2, le=255)
    max_depth: int | None = Field(default=None, ge=1, le=16)
    min_samples_leaf: int = Field(default=20, ge=1, le=1000)
    l2_regularization: float = Field(default=0.0, ge=0.0, le=100.0)


class BoostingClassifierHyperparameters(BoostingHyperparameters):
    class_weight: Literal["balanced"] | None = None


class KMeansHyperparameters(Hyperparameters):
    n_clusters: int = Field(default=3, ge=2, le=50)


class Fitted(Protocol):
    def to_params(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Algorithm:
    name: str
    task: Task
    hyperparameters: type[Hyperparameters]
    description: str
    max_rows: int | None = None
    """Most training rows the algorithm accepts (its cost grows faster than linearly)."""
    binary_only: bool = False


LINEAR_REGRESSION = Algorithm(
    "linear-regression", "regression", NoHyperparameters, "ordinary least squares"
)
RIDGE = Algorithm("ridge", "regression", RidgeHyperparameters, "ridge regression (L2)")
LOGISTIC_REGRESSION = Algorithm(
    "logistic-regression", "classification", LogisticHyperparameters, "logistic regression"
)
SVM = Algorithm(
    "svm",
    "classification",
    SvmHyperparameters,
    "RBF support vector machine, Platt-scaled",
    max_rows=20_000,
    binary_only=True,
)
RANDOM_FOREST_CLASSIFIER = Algorithm(
    "random-forest",
    "classification",
    ForestClassifierHyperparameters,
    "random forest of decision trees",
)
RANDOM_FOREST_REGRESSOR = Algorithm(
    "random-forest", "regression", ForestHyperparameters, "random forest of regression trees"
)
BOOSTING_CLASSIFIER = Algorithm(
    "hist-gradient-boosting",
    "classification",
    BoostingClassifierHyperparameters,
    "histogram gradient-boosted decision trees (log-loss)",
)
BOOSTING_REGRESSOR = Algorithm(
    "hist-gradient-boosting",
    "regression",
    BoostingHyperparameters,
    "histogram gradient-boosted regression trees (squared error)",
)
K_MEANS = Algorithm("k-means", "clustering", KMeansHyperparameters, "k-means clustering")

ALGORITHMS: dict[str, tuple[Algorithm, ...]] = {
    "linear-regression": (LINEAR_REGRESSION,),
    "ridge": (RIDGE,),
    "logistic-regression": (LOGISTIC_REGRESSION,),
    "svm": (SVM,),
    "random-forest": (RANDOM_FOREST_CLASSIFIER, RANDOM_FOREST_REGRESSOR),
    "hist-gradient-boosting": (BOOSTING_CLASSIFIER, BOOSTING_REGRESSOR),
    "k-means": (K_MEANS,),
}
"""By name; a name may serve more than one task (the target decides which)."""


# -- fitted models --------------------------------------------------------------


def standardise(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


@dataclass(frozen=True)
class LinearRegressor:
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    coef: NDArray[np.float64]
    intercept: float

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        result: NDArray[np.float64] = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return result

    def to_params(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> LinearRegressor:
        return cls(
            np.array(params["mean"], dtype=np.float64),
            np.array(params["scale"], dtype=np.float64),
            np.array(params["coef"], dtype=np.float64),
            float(params["intercept"]),
        )


@dataclass(frozen=True)
class ClassifierParams:
    """A classifier's probabilities over its classes, whatever computes them."""

    classes: list[Any]
    kind: str
    inner: Any

    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        if isinstance(self.inner, PlattRbfSvm):
            positive = self.inner.positive_probability(x)
            return np.column_stack([1.0 - positive, positive])
        proba: NDArray[np.float64] = self.inner.predict_proba(x)
        return proba

    def to_params(self) -> dict[str, Any]:
        return {"classes": self.classes, "kind": self.kind, "inner": self.inner.to_params()}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ClassifierParams:
        readers: dict[str, Any] = {
            "logistic": LinearPipeline,
            "svm": PlattRbfSvm,
            "forest": Forest,
            "boosting": Boosting,
        }
        reader = readers[params["kind"]]
        return cls(params["classes"], params["kind"], reader.from_params(params["inner"]))


def leaf_values(tree: dict[str, NDArray[Any]], x: NDArray[np.float64]) -> NDArray[Any]:
    """The ``value`` of the leaf each row of ``x`` reaches in ``tree`` (flat arrays:
    ``left``/``right`` children, -1 at leaves; ``feature``, ``threshold``; and
    ``missing_left`` where NaN goes left, as in gradient-boosted trees)."""
    node = np.zeros(len(x), dtype=np.int64)
    rows = np.arange(len(x))
    missing_left = tree.get("missing_left")
    while True:
        left = tree["left"][node]
        inner = left >= 0
        if not inner.any():
            return tree["value"][node]
        feature = np.where(inner, tree["feature"][node], 0)
        values = x[rows, feature]
        go_left = values <= tree["threshold"][node]
        if missing_left is not None:
            go_left = np.where(np.isnan(values), missing_left[node], go_left)
        node = np.where(inner, np.where(go_left, left, tree["right"][node]), node)


@dataclass(frozen=True)
class Boosting:
    """Gradient-boosted trees (scikit-learn's histogram GBM) as flat arrays: the
    baseline plus every tree's leaf value, per output; probabilities through the
    logistic function (two classes) or softmax (more)."""

    baseline: NDArray[np.float64]
    trees: list[list[dict[str, NDArray[Any]]]]
    """Per iteration, one tree per output."""
    classification: bool

    @classmethod
    def from_sklearn(cls, model: Any, classification: bool) -> Boosting:
        iterations = []
        for predictors in model._predictors:
            trees = []
            for predictor in predictors:
                nodes = predictor.nodes
                leaf = nodes["is_leaf"].astype(bool)
                trees.append(
                    {
                        "left": np.where(leaf, -1, nodes["left"].astype(np.int64)),
                        "right": np.where(leaf, -1, nodes["right"].astype(np.int64)),
                        "feature": nodes["feature_idx"].astype(np.int64),
                        "threshold": nodes["num_threshold"].astype(np.float64),
                        "missing_left": nodes["missing_go_to_left"].astype(bool),
                        "value": nodes["value"].astype(np.float64),
                    }
                )
            iterations.append(trees)
        baseline = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
        return cls(baseline, iterations, classification)

    def raw(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        total = np.tile(self.baseline, (len(x), 1))
        for trees in self.trees:
            for k, tree in enumerate(trees):
                total[:, k] += leaf_values(tree, x)
        return total

    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return class_probabilities(self.raw(x))

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.raw(x)[:, 0]

    def to_params(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "baseline": self.baseline.tolist(),
            "trees": [
                [{key: array.tolist() for key, array in tree.items()} for tree in trees]
                for trees in self.trees
            ],
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Boosting:
        types = {"missing_left": bool, "left": np.int64, "right": np.int64, "feature": np.int64}
        trees = [
            [
                {key: np.array(value, dtype=types.get(key, np.float64)) for key, value in t.items()}
                for t in trees
            ]
            for trees in params["trees"]
        ]
        baseline = np.array(params["baseline"], dtype=np.float64)
        return cls(baseline, trees, bool(params["classification"]))


@dataclass(frozen=True)
class Forest:
    """Decision trees as flat arrays, walked for every row at once."""

    trees: list[dict[str, NDArray[Any]]]
    classification: bool

    @classmethod
    def from_sklearn(cls, forest: Any, classification: bool) -> Forest:
        trees = []
        for estimator in forest.estimators_:
            tree = estimator.tree_
            value = np.asarray(tree.value, dtype=np.float64)[:, 0, :]
            if classification:
                # Some scikit-learn versions store counts, others fractions.
                value = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-300)
            trees.append(
                {
                    "left": np.asarray(tree.children_left, dtype=np.int64),
                    "right": np.asarray(tree.children_right, dtype=np.int64),
                    "feature": np.asarray(tree.feature, dtype=np.int64),
                    "threshold": np.asarray(tree.threshold, dtype=np.float64),
                    "value": value,
                }
            )
        return cls(trees, classification)

    def _leaf_values(self, tree: dict[str, NDArray[Any]], x: NDArray[np.float64]) -> NDArray[Any]:
        # scikit-learn's trees compare float32 features with float64 thresholds.
        return leaf_values(tree, x.astype(np.float32).astype(np.float64))

    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        total: NDArray[np.float64] = sum(self._leaf_values(tree, x) for tree in self.trees)  # type: ignore[assignment]
        return total / len(self.trees)

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.predict_proba(x)[:, 0]

    def to_params(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "trees": [{key: array.tolist() for key, array in tree.items()} for tree in self.trees],
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Forest:
        trees = [
            {
                "left": np.array(tree["left"], dtype=np.int64),
                "right": np.array(tree["right"], dtype=np.int64),
                "feature": np.array(tree["feature"], dtype=np.int64),
                "threshold": np.array(tree["threshold"], dtype=np.float64),
                "value": np.array(tree["value"], dtype=np.float64),
            }
            for tree in params["trees"]
        ]
        return cls(trees, bool(params["classification"]))


@dataclass(frozen=True)
class Clusterer:
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    centres: NDArray[np.float64]

    def assign(self, x: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        scaled = (x - self.mean) / self.scale
        distances = np.sqrt(((scaled[:, None, :] - self.centres[None, :, :]) ** 2).sum(-1))
        labels = distances.argmin(axis=1)
        return labels, distances[np.arange(len(labels)), labels]

    def to_params(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "centres": self.centres.tolist(),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Clusterer:
        return cls(
            np.array(params["mean"], dtype=np.float64),
            np.array(params["scale"], dtype=np.float64),
            np.array(params["centres"], dtype=np.float64),
        )


FittedModel = LinearRegressor | ClassifierParams | Forest | Boosting | Clusterer


def sort_key(value: Any) -> tuple[str, Any]:
    """The order of a target's classes: by type, then value."""
    return (type(value).__name__, value)


def read_fitted(task: Task, algorithm: str, params: dict[str, Any]) -> FittedModel:
    if task == "clustering":
        return Clusterer.from_params(params)
    if task == "classification":
        return ClassifierParams.from_params(params)
    if algorithm == "random-forest":
        return Forest.from_params(params)
    if algorithm == "hist-gradient-boosting":
        return Boosting.from_params(params)
    return LinearRegressor.from_params(params)
