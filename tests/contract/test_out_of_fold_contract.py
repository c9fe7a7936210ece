"""Out-of-fold predictions of a training job: the chosen candidate's answer for
every training row, from the fold that held it out — what pictures of a model's
quality are drawn from."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

import aiaas
from aiaas.types import Dataset, TrainingJob
from tests.contract.conftest import LiveTenant
from tests.contract.test_training_contract import FEATURES, upload_runs
from tests.helpers import collect, resolve


async def _trained(live: LiveTenant, **request: Any) -> tuple[Dataset, TrainingJob]:
    client = live.client()
    dataset = await upload_runs(client)
    job = await resolve(
        client.training_jobs.create(dataset_id=dataset.id, features=FEATURES, **request)
    )
    job = await resolve(client.training_jobs.wait(job.id, timeout=120, poll_interval=0.2))
    assert job.status == "succeeded", job.error
    return dataset, job


async def test_a_classifier_answers_every_row_from_the_fold_that_held_it_out(
    live: LiveTenant,
) -> None:
    client = live.client()
    dataset, job = await _trained(
        live, model=["logistic-regression", "random-forest"], target="failed",
        validation={"cv_folds": 4, "group_by": "part"},
    )  # fmt: skip
    answers = await collect(client.training_jobs.out_of_fold(job.id, limit=250))
    rows = await collect(client.datasets.rows(dataset.id, limit=1000))
    assert [a.index for a in answers] == [row.index for row in rows]  # every row, in order
    assert [a.truth for a in answers] == [row.values["failed"] for row in rows]
    for answer in answers:
        assert answer.probabilities is not None
        assert sum(answer.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        chosen = max(answer.probabilities, key=answer.probabilities.__getitem__)
        assert answer.probabilities[answer.predicted] == answer.probabilities[chosen]
    # Pooled over folds of about equal size, the rows' accuracy is the job's mean
    # fold accuracy to within a row or two of each fold.
    pooled = sum(a.predicted == a.truth for a in answers) / len(answers)
    assert pooled == pytest.approx(job.metrics["accuracy"], abs=0.02)
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib

        matplotlib.use("Agg")
        from aiaas import plots

        axes = plots.roc_curve([a.truth for a in answers], [a.probabilities[True] for a in answers])
        assert axes.get_legend() is not None


async def test_a_regressor_answers_with_values(live: LiveTenant) -> None:
    client = live.client()
    _, job = await _trained(live, model="ridge", target="energy_kwh", validation={"cv_folds": 3})
    answers = await collect(client.training_jobs.out_of_fold(job.id))
    assert len(answers) == 600
    assert all(isinstance(a.predicted, float) and a.probabilities is None for a in answers)


async def test_out_of_fold_rows_need_datasets_read(live: LiveTenant) -> None:
    _, job = await _trained(live, model="ridge", target="energy_kwh", validation={"cv_folds": 3})
    key = live.server.admin.issue_key(live.tenant.id, {"training", "datasets:write"})
    narrow = live.client(api_key=key.secret.reveal())
    with pytest.raises(aiaas.PermissionDeniedError):
        await collect(narrow.training_jobs.out_of_fold(job.id))
