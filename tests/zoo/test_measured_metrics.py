"""The models trained on generated data of a seed: their cards' metrics and
parameters for the default seed ship, written by ``python -m aiaas_mock.zoo.train``,
and still hold when trained again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiaas_mock.zoo import train
from aiaas_mock.zoo.entries import TrainedOnLoad
from aiaas_mock.zoo.model_spec import LoadedModel
from aiaas_mock.zoo.registry import trained_on_load_models
from aiaas_mock.zoo.shipped_weights import file_digest, read_measured_metrics

# scikit-learn's solvers are deterministic, but BLAS kernels differ between CPUs
# (AVX2, AVX-512); the metrics are rounded to four places, so allow a few units
# in the last of them.
TOLERANCE = 0.005
MODELS = trained_on_load_models()


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_shipped_metrics_still_hold(model_id: str) -> None:
    shipped = read_measured_metrics(model_id, data_seed=0)
    assert shipped is not None, f"run python -m aiaas_mock.zoo.train {model_id}"
    measured = MODELS[model_id].train(0).metrics  # trained again, not restored
    assert shipped.keys() == measured.keys()
    for name, value in measured.items():
        assert shipped[name] == pytest.approx(value, abs=TOLERANCE), name


def test_cards_need_no_training_for_the_default_seed() -> None:
    def refuse(data_seed: int) -> LoadedModel:
        raise AssertionError(f"trained for seed {data_seed}")

    for model_id, entry in MODELS.items():
        untrained = TrainedOnLoad(entry.spec, refuse)
        assert untrained.metrics(0) == read_measured_metrics(model_id, 0)
        with pytest.raises(AssertionError, match="seed 1"):
            untrained.metrics(1)  # another seed is measured by training


def test_the_train_command_writes_the_metrics_and_parameters(tmp_path: Path) -> None:
    out = tmp_path / "new"  # the command makes the directory
    assert train.main(["energy-regression", "--out", str(out)]) == 0
    written = json.loads((out / "energy-regression.metrics.json").read_text())
    assert written["data_seed"] == 0
    assert written["metrics"] == read_measured_metrics("energy-regression", 0, out)
    assert written["metrics"]["r2"] > 0.9
    assert written["params_sha256"] == file_digest(out / "energy-regression.params.json")
