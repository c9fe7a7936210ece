"""What a training job will cost, estimated from its plan before it is queued.

The unit is the row-fit: one row through one fit of the simplest model. Each
candidate is fitted once per fold and the chosen one once more on every row;
an algorithm's weight says how much more than a linear model one row costs it.
The estimate is for refusing jobs no tenant should run (``quotas.job_cost``), not
a prediction of seconds.
"""

from __future__ import annotations

from .plan import Candidate, TrainingPlan

FAMILY_WEIGHTS = {
    "sensor-autoencoder": 5,
    "rul-lstm": 50,
    "defect-cnn": 200,
    "maintenance-ner": 100,
}
"""Per epoch (per retraining for the CRF tagger), a network's cost per row; for
``defect-cnn``, per view of a row through its frozen backbone."""
DEFECT_EPOCH_WEIGHTS = {"head": 2, "last_blocks": 60}
"""What a view costs ``defect-cnn`` per epoch of what learns: the head alone, or
the last block, head convolution and head, forwards and back."""


def weight(plan: TrainingPlan, candidate: Candidate, rows: int) -> float:
    hp = candidate.hyperparameters
    if plan.family == "defect-cnn":
        # The backbone runs once per view (its output is kept for every fold).
        per_epoch = DEFECT_EPOCH_WEIGHTS[str(hp["mode"])]
        views = float(hp["views"])
        return views * (FAMILY_WEIGHTS["defect-cnn"] + per_epoch * float(hp["epochs"]))
    if plan.family is not None:
        return FAMILY_WEIGHTS[plan.family] * float(hp.get("epochs", 1))
    name = candidate.algorithm
    if name == "random-forest":
        return float(hp["n_estimators"]) * float(hp["max_depth"]) / 8.0
    if name == "hist-gradient-boosting":
        depth_free_leaves = float(hp["max_leaf_nodes"]) / 31.0
        return float(hp["max_iter"]) * depth_free_leaves / 10.0
    if name == "svm":
        return max(1.0, rows / 1000.0)  # a kernel's cost grows with the rows
    if name == "k-means":
        return max(1.0, float(hp["n_clusters"]) / 2.0)
    return 1.0


def training_cost(plan: TrainingPlan, rows: int) -> int:
    """Row-fits of every candidate on every fold, and the final fit."""
    weights = [weight(plan, candidate, rows) for candidate in plan.candidates]
    return int(rows * (sum(weights) * plan.folds + max(weights)))
