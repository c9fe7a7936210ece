"""Typed predictions: every system model called by its handle answers with its
typed outputs, and a type checker refuses a misspelled input key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aiaas import system_models
from aiaas.system_models import SystemModel
from aiaas.types import QualityOutcome
from aiaas_mock.zoo.examples import example_inputs
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.conftest import LiveTenant
from tests.helpers import resolve, skip_unless_runnable

HANDLES: list[SystemModel[Any, Any]] = [
    handle for handle in vars(system_models).values() if isinstance(handle, SystemModel)
]
ROOT = Path(__file__).resolve().parents[2]


def test_every_system_model_has_a_handle() -> None:
    assert sorted(handle.id for handle in HANDLES) == sorted(system_model_ids())


@pytest.mark.parametrize("handle", HANDLES, ids=lambda handle: handle.id)
async def test_a_handle_gives_typed_outputs(
    live: LiveTenant, handle: SystemModel[Any, Any]
) -> None:
    skip_unless_runnable(handle.id)
    item = example_inputs()[handle.id]
    prediction = await resolve(live.client().models.predict(handle, inputs=[item]))
    assert prediction.model == handle.id
    assert isinstance(prediction.outputs[0], handle.output_type)


async def test_an_id_still_gives_dicts(live: LiveTenant) -> None:
    item = example_inputs()["quality-logreg"]
    prediction = await resolve(live.client().models.predict("quality-logreg", inputs=[item]))
    assert isinstance(prediction.outputs[0], dict)
    assert QualityOutcome.model_validate(prediction.outputs[0]).prediction in ("pass", "fail")


CHECKED = """
import aiaas
from aiaas.system_models import quality_logreg

with aiaas.Client() as client:
    prediction = client.models.predict(quality_logreg, inputs=[{run}])
    probability: float = prediction.outputs[0].failure_probability
"""
RUN = (
    '{{"product_type": "M", "air_temperature": 300.0, "process_temperature": 310.0, '
    '"rotational_speed": 1500.0, "torque": 40.0, "{wear}": 10.0}}'
)


def _mypy(tmp_path: Path, wear_key: str) -> subprocess.CompletedProcess[str]:
    program = tmp_path / "line.py"
    program.write_text(CHECKED.format(run=RUN.format(wear=wear_key)))
    program.with_name("mypy.ini").write_text("[mypy]\n")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--disallow-any-expr", "--no-incremental",
         "--config-file", str(program.with_name("mypy.ini")), str(program)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )  # fmt: skip


def test_a_type_checker_refuses_a_misspelled_key(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the dev extra, not the lowest-versions job")
    assert _mypy(tmp_path, "tool_wear").returncode == 0
    refused = _mypy(tmp_path, "tool_waer")
    assert refused.returncode == 1
    assert "ProcessRunDict" in refused.stdout
