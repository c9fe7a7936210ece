"""Progress where a person waits: a bar for ``wait()`` and uploads on a terminal
(or when asked), nothing when output goes elsewhere, and the extra named when
tqdm is missing."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.contract.conftest import LiveTenant
from tests.helpers import resolve
from tests.tables import machining_runs


async def train(client: Any, **wait: Any) -> Any:
    dataset = await resolve(
        client.datasets.create(
            file=machining_runs(rows=200), name="line-3", format="csv", **wait.pop("upload", {})
        )
    )
    job = await resolve(
        client.training_jobs.create(
            model="logistic-regression",
            dataset_id=dataset.id,
            target="failed",
            features=["speed", "torque"],
            validation={"cv_folds": 2},
        )
    )
    return await resolve(client.training_jobs.wait(job.id, poll_interval=0.05, **wait))


async def test_bars_are_drawn_when_asked(
    live: LiveTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm", reason="the progress extra is not installed (lowest versions)")
    seen: list[str] = []
    job = await train(
        live.client(),
        progress=True,
        on_progress=lambda j: seen.append(j.status),
        upload={"progress": True},
    )
    assert job.status == "succeeded"
    assert seen[-1] == "succeeded"  # the caller's own callback still runs
    drawn = capsys.readouterr().err
    assert "upload line-3" in drawn
    assert f"{job.id}: 100%" in drawn
    assert "succeeded" in drawn


async def test_nothing_is_drawn_off_a_terminal(
    live: LiveTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not sys.stderr.isatty()
    job = await train(live.client())
    assert job.status == "succeeded"
    assert capsys.readouterr().err == ""


async def test_without_tqdm_a_bar_asked_for_names_the_extra(
    live: LiveTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ImportError, match=r'pip install "aiaas\[progress\]"'):
        await train(live.client(), progress=True)
