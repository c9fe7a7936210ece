"""A fitted binary RBF support vector machine with Platt scaling, served through
its parameters.

scikit-learn's ``SVC`` behind a ``StandardScaler``, calibrated by a sigmoid on
cross-validated decision values (``CalibratedClassifierCV(method="sigmoid",
ensemble=False)``), computes the kernel against every support vector; the same
arithmetic in numpy gives the same probabilities (to float rounding, checked in
``tests/zoo``) without importing scikit-learn or paying its per-call validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class PlattRbfSvm:
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    support_vectors: NDArray[np.float64]
    dual_coef: NDArray[np.float64]
    intercept: float
    gamma: float
    platt_a: float
    platt_b: float
    """Probability of the positive class: ``1 / (1 + exp(a * decision + b))``."""

    @classmethod
    def from_calibrated(cls, calibrated: Any) -> PlattRbfSvm:
        """The parameters of a fitted ``CalibratedClassifierCV(make_pipeline(
        StandardScaler(), SVC(kernel="rbf")), method="sigmoid", ensemble=False)``."""
        (member,) = calibrated.calibrated_classifiers_
        scaler, svc = (step for _, step in member.estimator.steps)
        (sigmoid,) = member.calibrators
        if svc.kernel != "rbf" or len(svc.classes_) != 2:
            raise TypeError("expected a binary SVC with an RBF kernel")
        return cls(
            mean=np.asarray(scaler.mean_, dtype=np.float64),
            scale=np.asarray(scaler.scale_, dtype=np.float64),
            support_vectors=np.ascontiguousarray(svc.support_vectors_, dtype=np.float64),
            dual_coef=np.asarray(svc.dual_coef_[0], dtype=np.float64),
            intercept=float(svc.intercept_[0]),
            # gamma="scale" is resolved at fit time and kept only here.
            gamma=float(svc._gamma),
            platt_a=float(sigmoid.a_),
            platt_b=float(sigmoid.b_),
        )

    def decision_function(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        z = (x - self.mean) / self.scale
        squared = (
            (z**2).sum(axis=1)[:, None]
            + (self.support_vectors**2).sum(axis=1)[None, :]
            - 2.0 * z @ self.support_vectors.T
        )
        kernel = np.exp(-self.gamma * np.maximum(squared, 0.0))
        result: NDArray[np.float64] = kernel @ self.dual_coef + self.intercept
        return result

    def positive_probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        result: NDArray[np.float64] = 1.0 / (
            1.0 + np.exp(self.platt_a * self.decision_function(x) + self.platt_b)
        )
        return result

    def to_params(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "support_vectors": self.support_vectors.tolist(),
            "dual_coef": self.dual_coef.tolist(),
            "intercept": self.intercept,
            "gamma": self.gamma,
            "platt_a": self.platt_a,
            "platt_b": self.platt_b,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> PlattRbfSvm:
        return cls(
            mean=np.array(params["mean"], dtype=np.float64),
            scale=np.array(params["scale"], dtype=np.float64),
            support_vectors=np.array(params["support_vectors"], dtype=np.float64),
            dual_coef=np.array(params["dual_coef"], dtype=np.float64),
            intercept=float(params["intercept"]),
            gamma=float(params["gamma"]),
            platt_a=float(params["platt_a"]),
            platt_b=float(params["platt_b"]),
        )
