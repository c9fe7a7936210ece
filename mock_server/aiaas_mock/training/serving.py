"""Serving a model a tenant trained: its spec, card and predictor, from its artifact.

The artifact is the JSON a training job's final unit wrote (encoder and fitted
parameters); predictions are numpy arithmetic on it, as for the zoo's own
tabular models, so a trained model answers without scikit-learn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from aiaas.types import (
    ClassPrediction,
    ClassProbabilities,
    ClusterAssignment,
    Model,
    ValuePrediction,
)

from ..datasets.columns import value_text
from ..zoo.model_spec import LoadedModel, ModelSpec
from . import fine_tuning
from .algorithms import ClassifierParams, Clusterer, FittedModel, Task, read_fitted
from .features import FeatureEncoder

TASK_NAMES: dict[str, str] = {
    "classification": "tabular-classification",
    "regression": "tabular-regression",
    "clustering": "clustering",
}
OUTPUT_TYPES: dict[str, type[BaseModel]] = {
    "classification": ClassPrediction,
    "regression": ValuePrediction,
    "clustering": ClusterAssignment,
}


class NoParameters(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")


_FIELD_TYPES: dict[str, Any] = {
    "integer": int | None,
    "number": float | None,
    "boolean": bool | None,
    "string": str | None,
}


def input_type(model_id: str, encoder: FeatureEncoder) -> type[BaseModel]:
    """One row of the model's inputs: its feature columns, each optional (a missing
    number is imputed; a missing text sets no indicator), nothing else.

    Fields are named by position and carry the column's name as their alias: a
    column may be named anything, ``_id`` or ``json`` included, which pydantic
    would not take as a field name."""
    fields: dict[str, Any] = {
        f"column_{i}": (_FIELD_TYPES[encoder.types[name]], Field(default=None, alias=name))
        for i, name in enumerate(encoder.feature_names)
    }
    row: type[BaseModel] = create_model(
        "Row",
        __config__=ConfigDict(extra="forbid", title=f"{model_id} input"),
        **fields,
    )
    return row


class TabularPredictor:
    def __init__(
        self,
        task: Task,
        encoder: FeatureEncoder,
        model: FittedModel,
        threshold: float | None = None,
    ) -> None:
        self.task = task
        self.encoder = encoder
        self.model = model
        self.threshold = threshold
        """A binary classifier's tuned decision threshold on its second class."""

    def predict(self, inputs: Sequence[Any], parameters: Any) -> list[BaseModel]:
        rows = [
            row.model_dump(by_alias=True) if isinstance(row, BaseModel) else row for row in inputs
        ]
        x = self.encoder.encode_rows(rows)
        if isinstance(self.model, Clusterer):
            labels, distances = self.model.assign(x)
            return [
                ClusterAssignment(cluster=int(label), distance=float(distance))
                for label, distance in zip(labels, distances, strict=True)
            ]
        if isinstance(self.model, ClassifierParams):
            proba = self.model.predict_proba(x)
            classes = self.model.classes
            keys = [value_text(label) for label in classes]
            chosen = proba.argmax(axis=1)
            if self.threshold is not None:
                chosen = (proba[:, 1] >= self.threshold).astype(np.int64)
            return [
                ClassPrediction(
                    label=classes[int(choice)],
                    probabilities=ClassProbabilities(
                        {key: round(float(p), 6) for key, p in zip(keys, row, strict=True)}
                    ),
                )
                for row, choice in zip(proba, chosen, strict=True)
            ]
        values = self.model.predict(x)
        return [ValuePrediction(prediction=float(value)) for value in values]


def spec_of(model_id: str, artifact: dict[str, Any], card: Model) -> ModelSpec:
    encoder = FeatureEncoder.from_params(artifact["encoder"])
    return ModelSpec(
        id=model_id,
        task=card.task,
        algorithm=card.algorithm,
        version=card.version,
        description=card.description,
        data=card.data,
        input_type=input_type(model_id, encoder),
        output_type=OUTPUT_TYPES[artifact["task"]],
        parameters_type=NoParameters,
    ).derived(model_id, card)


def load(model_id: str, artifact_bytes: bytes, card: Model) -> LoadedModel:
    """A trained model from its artifact: a tabular one, or a fine-tuned zoo family."""
    artifact = json.loads(artifact_bytes)
    if artifact["format"] == fine_tuning.FINE_TUNED:
        return fine_tuning.load(model_id, artifact, card)
    encoder = FeatureEncoder.from_params(artifact["encoder"])
    fitted = read_fitted(artifact["task"], artifact["algorithm"], artifact["model"])
    return LoadedModel(
        spec=spec_of(model_id, artifact, card),
        predictor=TabularPredictor(artifact["task"], encoder, fitted, artifact.get("threshold")),
        metrics=dict(card.metrics),
    )


def trained_card(
    model_id: str,
    artifact_bytes: bytes,
    *,
    tenant_id: str,
    dataset_name: str,
    dataset_id: str,
    rows: int,
    folds: int,
    grouped_by: str | None,
    metrics: dict[str, float],
    training_job_id: str,
) -> Model:
    artifact = json.loads(artifact_bytes)
    task: str = artifact["task"]
    protocol = f"{folds}-fold cross-validation"
    if grouped_by is not None:
        protocol += f" grouped by '{grouped_by}' (a group is never split between folds)"
    elif task == "classification":
        protocol = f"stratified {protocol}"
    target = artifact["target"]
    common: dict[str, Any] = {
        "id": model_id,
        "version": "1",
        "owner": tenant_id,
        "created_at": int(time.time()),
        "data": f"dataset '{dataset_name}' ({dataset_id}), {rows} rows",
        "training_data": "tenant",
        "metrics": metrics,
        "hyperparameters": artifact["hyperparameters"],
        "target": target,
        "training_job_id": training_job_id,
        "decision_threshold": artifact.get("threshold"),
    }
    if artifact["format"] == fine_tuning.FINE_TUNED:
        return _fine_tuned_card(artifact, common, protocol)
    return _tabular_card(model_id, artifact, common, protocol)


def _fine_tuned_card(artifact: dict[str, Any], common: dict[str, Any], protocol: str) -> Model:
    base = fine_tuning.base_spec(artifact["family"])
    return Model(
        **common,
        task=base.task,
        algorithm=f"{base.algorithm}; shipped weights fine-tuned on the tenant's data",
        description=base.description,
        evaluation=f"{protocol} on the training dataset, each fold's network fine-tuned "
        "without it; base_* metrics: the shipped network on the same held-out rows.",
        input_schema=TypeAdapter(base.input_type).json_schema(),
        output_schema=base.output_type.model_json_schema(),
        parameters_schema=base.parameters_type.model_json_schema(),
        features=artifact["features"],
    )


def _tabular_card(
    model_id: str, artifact: dict[str, Any], common: dict[str, Any], protocol: str
) -> Model:
    task: str = artifact["task"]
    target = artifact["target"]
    encoder = FeatureEncoder.from_params(artifact["encoder"])
    what = f"'{target}'" if target else "clusters"
    return Model(
        **common,
        task=TASK_NAMES[task],
        algorithm=artifact["algorithm"],
        description=f"Predicts {what} from {', '.join(encoder.feature_names)}.",
        evaluation=f"{protocol} on the training dataset; metrics are means over the "
        "held-out folds, each fold's model fitted without it.",
        input_schema=TypeAdapter(input_type(model_id, encoder)).json_schema(),
        output_schema=OUTPUT_TYPES[task].model_json_schema(),
        parameters_schema=NoParameters.model_json_schema(),
        features=encoder.feature_names,
    )


def with_threshold(artifact: bytes, threshold: float | None) -> bytes:
    """A tabular artifact with its tuned decision ``threshold`` (a final fit made
    before the folds had tuned it); others as they are."""
    if threshold is None:
        return artifact
    fields = json.loads(artifact)
    fields["threshold"] = threshold
    return json.dumps(fields, separators=(",", ":")).encode()
