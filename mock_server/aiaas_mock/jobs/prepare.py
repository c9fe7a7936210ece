"""A claimed job's record turned back into the work its driver does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..batch.units import SystemModelRef, TenantModelRef
from ..store import Store
from ..training.plan import TrainingRequest, plan_training
from ..zoo.catalogue import Catalogue
from .runner import BatchWork, JobFailed, TrainingWork, Work


def work_preparer(
    store: Store, catalogue: Catalogue, data_seed: int
) -> Callable[[str, str, dict[str, Any]], Work]:
    def prepare(kind: str, tenant_id: str, record: dict[str, Any]) -> Work:
        dataset = store.datasets.get(record["dataset_id"], tenant_id)
        if dataset is None:
            raise JobFailed("dataset_missing", f"Dataset '{record['dataset_id']}' is gone.")
        directory = store.dataset_dir(dataset.id)
        if kind == "training":
            fields = TrainingRequest.model_fields
            request = TrainingRequest.model_validate(
                {name: record[name] for name in fields if name in record}
            )
            return TrainingWork(
                plan=plan_training(record["id"], request, dataset),
                dataset_dir=directory,
                dataset_name=dataset.name,
                dataset_rows=dataset.rows,
                tenant_id=tenant_id,
            )
        model_id: str = record["model"]
        card = store.models.get(model_id, tenant_id)
        if card is None:
            raise JobFailed("model_missing", f"Model '{model_id}' is gone.")
        ref: SystemModelRef | TenantModelRef
        if catalogue.entry(model_id) is not None:
            ref = SystemModelRef(model_id, data_seed)
        else:
            stored = store.models.artifact(model_id)
            if stored is None:
                raise JobFailed("model_missing", f"Model '{model_id}' cannot serve predictions.")
            ref = TenantModelRef(model_id, stored[1], card.model_dump_json())
        return BatchWork(
            job_id=record["id"],
            model=ref,
            dataset_dir=directory,
            rows=dataset.rows,
            input_column=record.get("input_column"),
        )

    return prepare
