"""Fine-tuning the zoo's deep families on a tenant's data, one module per family.

Each tuner starts from the shipped network (a copy: the served system model is
untouched), continues its training on the tenant's rows for a few epochs, and is
measured on held-out folds next to the shipped network on the same rows
(``base_*`` metrics), so a card shows what fine-tuning bought. The result
serves like its family: same inputs, outputs and parameters.

A new family: a module here with ``check``, ``fold``, ``final`` and ``restore``
and its ``TUNER``, listed in :data:`TUNERS`.
"""

from __future__ import annotations

import json
from typing import Any

from aiaas.types import Dataset, Model, TrainingJobRequest

from ...zoo.model_spec import LoadedModel, ModelSpec
from ...zoo.registry import SYSTEM_MODELS
from ..algorithms import Algorithm
from ..plan import (
    MIN_ROWS_PER_FOLD,
    Candidate,
    PlanError,
    TrainingPlan,
    candidates_of,
)
from . import defect_cnn, maintenance_ner, rul_lstm, sensor_autoencoder
from .tuner import FamilyTuner

FINE_TUNED = "aiaas-finetune/1"
"""The artifact format of a fine-tuned zoo family."""

TUNERS: dict[str, FamilyTuner] = {
    module.TUNER.family: module.TUNER
    for module in (sensor_autoencoder, rul_lstm, defect_cnn, maintenance_ner)
}
"""The zoo families a tenant can fine-tune, by model id."""


def plan_fine_tuning(
    job_id: str, request: TrainingJobRequest, dataset: Dataset, data_seed: int = 0
) -> TrainingPlan:
    """The plan of fine-tuning the family ``request.model`` names on ``dataset``."""
    assert isinstance(request.model, str)
    tuner = TUNERS[request.model]
    features, group_by, metric = tuner.check(request, dataset)
    algorithm = Algorithm(tuner.family, tuner.task, tuner.hyperparameters, "fine-tuning")  # type: ignore[arg-type]
    folds = request.validation.cv_folds
    if dataset.rows < folds * MIN_ROWS_PER_FOLD:
        raise PlanError(
            f"{dataset.rows} rows are too few for {folds} folds.", "validation.cv_folds"
        )
    return TrainingPlan(
        job_id=job_id,
        dataset_id=dataset.id,
        task=tuner.task,  # type: ignore[arg-type]
        target=request.target,
        features=features,
        candidates=tuple(candidates_of(request, [algorithm])),
        folds=folds,
        group_by=group_by,
        seed=request.validation.seed,
        family=tuner.family,
        metric=metric,
        higher_is_better=metric in ("roc_auc", "accuracy", "f1"),
        data_seed=data_seed,
    )


def artifact_of(plan: TrainingPlan, candidate: Candidate, state: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "format": FINE_TUNED,
            "family": plan.family,
            "task": plan.task,
            "algorithm": candidate.algorithm,
            "hyperparameters": candidate.hyperparameters,
            "target": plan.target,
            "features": list(plan.features),
            **state,
        },
        separators=(",", ":"),
    ).encode()


def base_spec(family: str) -> ModelSpec:
    return next(entry.spec for entry in SYSTEM_MODELS if entry.spec.id == family)


def load(model_id: str, artifact: dict[str, Any], card: Model) -> LoadedModel:
    """A fine-tuned model, serving like its family."""
    tuner = TUNERS[artifact["family"]]
    spec = base_spec(tuner.family).derived(model_id, card)
    return LoadedModel(spec, tuner.restore(artifact), dict(card.metrics))
