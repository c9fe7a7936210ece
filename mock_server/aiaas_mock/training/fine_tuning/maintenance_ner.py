"""Fine-tuning ``maintenance-ner``: JSON lines of ``text`` and ``entities``
(``start``, ``end``, ``type``). CRFs are retrained rather than continued: the
shipped recipe's texts plus the tenant's, counted ``tenant_weight`` times."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

from pydantic import Field

from aiaas.types import Dataset, TrainingJobRequest

from ...datasets.files import Table
from ...zoo.kit.text_spans import Span
from ...zoo.maintenance_ner.model import EntityTagger, train
from ...zoo.maintenance_ner.serving import EntityPredictor
from ...zoo.maintenance_ner.train import TRAIN_ORDERS
from ...zoo.maintenance_text.maintie import load_maintie
from ...zoo.maintenance_text.scoring import span_scores
from ...zoo.maintenance_text.work_orders import ENTITY_TYPES, WorkOrder, generate_work_orders
from ...zoo.model_spec import Predictor
from ..algorithms import Hyperparameters
from ..plan import Candidate, PlanError
from .tuner import FamilyTuner, Rows, Tuning


class TaggerHyperparameters(Hyperparameters):
    tenant_weight: int = Field(default=1, ge=1, le=10)
    """How many times as much as a MaintIE gold text each of the tenant's texts
    counts in training (CRFsuite takes no sample weights: texts are repeated)."""


def check(request: TrainingJobRequest, dataset: Dataset) -> tuple[tuple[str, ...], str | None, str]:
    columns = {c.name: c for c in dataset.columns}
    if columns.get("text") is None or columns["text"].type != "string":
        raise PlanError("maintenance-ner learns from a 'text' column of work orders.", "dataset_id")
    if columns.get("entities") is None or columns["entities"].type != "json":
        raise PlanError(
            "maintenance-ner learns from an 'entities' column: per text, a list of "
            '{"start", "end", "type"} with character offsets (JSON lines).',
            "dataset_id",
        )
    if request.target not in (None, "entities"):
        raise PlanError("maintenance-ner's target is its 'entities' column.", "target")
    return ("text", "entities"), request.validation.group_by, "f1"


def _orders(table: Table, rows: Any) -> list[Any]:
    orders = []
    for row in rows.tolist():
        text, entities = table.columns["text"][row], table.columns["entities"][row]
        if not isinstance(text, str) or not isinstance(entities, list):
            raise ValueError(f"row {row}: 'text' must be a text and 'entities' a list")
        spans = []
        for entity in entities:
            kind = entity.get("type", entity.get("label")) if isinstance(entity, dict) else None
            start, end = (entity.get("start"), entity.get("end")) if kind else (None, None)
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            ):
                raise ValueError(
                    f"row {row}: entity {entity!r} needs 0 <= start < end <= {len(text)}"
                )
            if kind not in ENTITY_TYPES:
                raise ValueError(
                    f"row {row}: entity type {kind!r} is not one of {', '.join(ENTITY_TYPES)}"
                )
            spans.append(Span(start, end, kind))
        orders.append(WorkOrder(text, tuple(sorted(set(spans))), ()))
    return orders


def _fit(orders: list[Any], candidate: Candidate, directory: Path) -> Any:
    weight = TaggerHyperparameters.model_validate(candidate.hyperparameters).tenant_weight
    # The shipped recipe (which repeats every real text REAL_WEIGHT times), with the
    # tenant's texts among the real ones, each ``weight`` times.
    real = list(load_maintie().orders)
    extra = [order for order in orders for _ in range(weight)]
    return train(generate_work_orders(TRAIN_ORDERS, seed=0), [*real, *extra], directory / "tagger")


def _f1(tagger: Any, orders: list[Any]) -> float:
    scores = span_scores(
        [set(o.entities) for o in orders], [set(tagger.entities(o.text)) for o in orders]
    )
    return float(scores["f1"])


def fold(tuning: Tuning, train: Rows, test: Rows) -> dict[str, float]:
    held_out = _orders(tuning.table, test)
    with tempfile.TemporaryDirectory() as scratch:
        tagger = _fit(_orders(tuning.table, train), tuning.candidate, Path(scratch))
        # CRFsuite trains in one call: a cancelled job stops after it.
        tuning.check()
        f1 = _f1(tagger, held_out)
    shipped = tuning.base.predictor.model  # type: ignore[attr-defined]
    return {"f1": f1, "base_f1": _f1(shipped, held_out)}


def final(tuning: Tuning, rows: Rows) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        _fit(_orders(tuning.table, rows), tuning.candidate, Path(scratch))
        archive = (Path(scratch) / "tagger").read_bytes()
    return {"tagger": base64.b64encode(archive).decode()}


def restore(artifact: dict[str, Any]) -> Predictor:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tagger.zip"
        path.write_bytes(base64.b64decode(artifact["tagger"]))
        return EntityPredictor(EntityTagger.from_file(path))


TUNER = FamilyTuner(
    "maintenance-ner", "token-classification", "f1", True,
    check, fold, final, restore, TaggerHyperparameters,
)  # fmt: skip
