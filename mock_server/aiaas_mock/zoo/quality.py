"""``quality-logreg``: pass/fail of a machining run from its process parameters.

The data generator follows the failure rules published with the AI4I 2020
predictive-maintenance data set (Matzka, 2020):

* air temperature around 300 K (sd 2 K); process temperature = air + 10 K (sd 1 K);
* torque around 40 Nm (sd 10 Nm, never below 3.8); rotational speed around
  1538 rpm, falling with torque (correlation about -0.87, as in the real data);
* tool wear 0-240 min; product quality L / M / H in proportions 50 / 30 / 20 %;
* failure modes, first match wins:
  TWF tool wear failure (wear past a tool's random 200-240 min life, a few tools),
  HDF heat dissipation (temperature difference < 8.6 K and speed < 1380 rpm),
  PWF power (torque x angular speed < 3500 W or > 9000 W),
  OSF overstrain (wear x torque > 11000 / 12000 / 13000 min Nm for L / M / H),
  RNF random (0.1 %).

Logistic regression cannot draw these thresholds from the raw columns, so it gets
the physics as features: temperature difference, power, strain over its limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.outputs import QualityOutcome

from .base import LoadedModel, ModelSpec, TrainedOnLoad

PRODUCT_TYPES: tuple[str, ...] = ("L", "M", "H")
PRODUCT_SHARES = (0.5, 0.3, 0.2)
OVERSTRAIN_LIMIT = {"L": 11000.0, "M": 12000.0, "H": 13000.0}
FAILURE_MODES = ("TWF", "HDF", "PWF", "OSF", "RNF")


class ProcessRun(BaseModel):
    """One machining run."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    product_type: Literal["L", "M", "H"] = Field(description="Product quality variant")
    air_temperature: float = Field(ge=250, le=350, description="Air temperature, K")
    process_temperature: float = Field(ge=250, le=400, description="Process temperature, K")
    rotational_speed: float = Field(ge=0, le=5000, description="Spindle speed, rpm")
    torque: float = Field(ge=0, le=200, description="Torque, Nm")
    tool_wear: float = Field(ge=0, le=1000, description="Tool wear, minutes")


class QualityParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    threshold: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Failure probability from which a run counts as 'fail'; "
        "defaults to the F1-optimal threshold chosen on validation data.",
    )


@dataclass(frozen=True)
class ProcessData:
    """Columns of generated runs; ``failure_mode`` is '' for runs that passed."""

    product_type: NDArray[np.str_]
    air_temperature: NDArray[np.float64]
    process_temperature: NDArray[np.float64]
    rotational_speed: NDArray[np.float64]
    torque: NDArray[np.float64]
    tool_wear: NDArray[np.float64]
    failure_mode: NDArray[np.str_]

    @property
    def failed(self) -> NDArray[np.int_]:
        failed: NDArray[np.int_] = (self.failure_mode != "").astype(int)
        return failed

    @classmethod
    def from_runs(cls, runs: Sequence[ProcessRun]) -> ProcessData:
        def column(name: str) -> NDArray[np.float64]:
            return np.array([getattr(run, name) for run in runs], dtype=float)

        return cls(
            product_type=np.array([run.product_type for run in runs]),
            air_temperature=column("air_temperature"),
            process_temperature=column("process_temperature"),
            rotational_speed=column("rotational_speed"),
            torque=column("torque"),
            tool_wear=column("tool_wear"),
            failure_mode=np.full(len(runs), "", dtype="<U3"),
        )


def generate_process_runs(n: int, seed: int) -> ProcessData:
    """``n`` runs drawn with the AI4I 2020 rules; the same seed gives the same runs."""
    rng = np.random.default_rng(seed)
    product = np.array(PRODUCT_TYPES)[rng.choice(3, size=n, p=PRODUCT_SHARES)]
    air = 300.0 + rng.normal(0.0, 2.0, n)
    process = air + 10.0 + rng.normal(0.0, 1.0, n)
    torque = np.clip(rng.normal(40.0, 10.0, n), 3.8, None)
    speed = np.clip(1538.0 - 15.7 * (torque - 40.0) + rng.normal(0.0, 87.0, n), 1168.0, None)
    wear = rng.uniform(0.0, 240.0, n)

    tool_life = rng.uniform(200.0, 240.0, n)
    twf = (wear >= tool_life) & (rng.random(n) < 0.06)
    hdf = (process - air < 8.6) & (speed < 1380.0)
    power = torque * speed * 2.0 * np.pi / 60.0
    pwf = (power < 3500.0) | (power > 9000.0)
    limit = np.vectorize(OVERSTRAIN_LIMIT.__getitem__)(product)
    osf = wear * torque > limit
    rnf = rng.random(n) < 0.001

    mode = np.full(n, "", dtype="<U3")
    for name, hit in zip(FAILURE_MODES[::-1], (rnf, osf, pwf, hdf, twf), strict=True):
        mode[hit] = name  # later rules overwrite, so the first listed mode wins
    return ProcessData(product, air, process, speed, torque, wear, mode)


def features(data: ProcessData) -> NDArray[np.float64]:
    """Raw columns plus the physical quantities the failure rules depend on."""
    delta_t = data.process_temperature - data.air_temperature
    power_kw = data.torque * data.rotational_speed * 2.0 * np.pi / 60.0 / 1000.0
    limit = np.vectorize(OVERSTRAIN_LIMIT.__getitem__)(data.product_type)
    strain = data.tool_wear * data.torque / limit
    heat_risk = np.maximum(0.0, 8.6 - delta_t) * np.maximum(0.0, 1380.0 - data.rotational_speed)
    product = np.stack([data.product_type == p for p in PRODUCT_TYPES], axis=1).astype(float)
    columns = [
        data.air_temperature,
        data.process_temperature,
        data.rotational_speed,
        data.torque,
        data.tool_wear,
        delta_t,
        power_kw,
        (power_kw - 6.4) ** 2,
        strain,
        np.maximum(0.0, strain - 0.8),
        heat_risk / 100.0,
        np.maximum(0.0, data.tool_wear - 200.0),
    ]
    return np.column_stack([*columns, product])


class QualityClassifier:
    """Scaled features into a logistic regression, and a decision threshold."""

    def __init__(self, pipeline: object, threshold: float) -> None:
        self._pipeline = pipeline
        self.threshold = threshold

    def failure_probability(self, data: ProcessData) -> NDArray[np.float64]:
        proba: NDArray[np.float64] = self._pipeline.predict_proba(features(data))[:, 1]  # type: ignore[attr-defined]
        return proba

    def predict(
        self, inputs: Sequence[ProcessRun], parameters: QualityParameters
    ) -> list[BaseModel]:
        threshold = round(parameters.threshold or self.threshold, 4)
        proba = self.failure_probability(ProcessData.from_runs(inputs))
        return [
            QualityOutcome(
                prediction="fail" if p >= threshold else "pass",
                failure_probability=round(float(p), 6),
                threshold=threshold,
            )
            for p in proba
        ]


def best_f1_threshold(y: NDArray[np.int_], proba: NDArray[np.float64]) -> float:
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def train(data: ProcessData, validation: ProcessData) -> QualityClassifier:
    """Fit on ``data``; pick the decision threshold on ``validation``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    pipeline.fit(features(data), data.failed)
    model = QualityClassifier(pipeline, 0.5)
    model.threshold = best_f1_threshold(validation.failed, model.failure_probability(validation))
    return model


def evaluate(model: QualityClassifier, data: ProcessData) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    proba = model.failure_probability(data)
    y = data.failed
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
        "pr_auc": round(float(average_precision_score(y, proba)), 4),
        "f1": round(float(f1_score(y, proba >= model.threshold)), 4),
        "failure_rate": round(float(y.mean()), 4),
    }


SPEC = ModelSpec(
    id="quality-logreg",
    task="tabular-classification",
    algorithm="scikit-learn LogisticRegression on engineered process features",
    version="1.0.0",
    description="Pass/fail of a machining run from air and process temperature, spindle "
    "speed, torque, tool wear and product type.",
    data="Synthetic runs following the AI4I 2020 predictive-maintenance failure rules; "
    "trained on 20,000 runs, threshold chosen on 5,000, metrics on 10,000 held-out runs.",
    input_type=ProcessRun,
    output_type=QualityOutcome,
    parameters_type=QualityParameters,
)


def train_and_evaluate(data_seed: int) -> LoadedModel:
    """The served model: trained, thresholded and measured on separate generated runs."""
    model = train(
        generate_process_runs(20_000, data_seed), generate_process_runs(5_000, data_seed + 1)
    )
    metrics = evaluate(model, generate_process_runs(10_000, data_seed + 2))
    return LoadedModel(SPEC, model, metrics)


QUALITY_LOGREG = TrainedOnLoad(SPEC, train_and_evaluate)
