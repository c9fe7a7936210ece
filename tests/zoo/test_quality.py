"""quality-logreg and quality-svm: the generator follows AI4I 2020, the models hold
their metrics."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas.types import ProcessRun
from aiaas_mock.zoo import quality
from aiaas_mock.zoo.entries import TrainedOnLoad
from aiaas_mock.zoo.quality import data as process_runs
from aiaas_mock.zoo.quality import model as classifiers
from aiaas_mock.zoo.quality.serving import QualityPredictor


def _classifier(entry: TrainedOnLoad) -> classifiers.QualityClassifier:
    predictor = entry.load(0, {}).predictor
    assert isinstance(predictor, QualityPredictor)
    return predictor.model


@pytest.fixture(scope="module")
def data() -> process_runs.ProcessData:
    return process_runs.generate_process_runs(20_000, seed=11)


def test_generator_is_deterministic() -> None:
    a = process_runs.generate_process_runs(500, seed=3)
    b = process_runs.generate_process_runs(500, seed=3)
    c = process_runs.generate_process_runs(500, seed=4)
    assert np.array_equal(a.torque, b.torque)
    assert np.array_equal(a.failure_mode, b.failure_mode)
    assert not np.array_equal(a.torque, c.torque)


def test_generator_marginals_match_ai4i(data: process_runs.ProcessData) -> None:
    assert data.air_temperature.mean() == pytest.approx(300.0, abs=0.1)
    assert (data.process_temperature - data.air_temperature).mean() == pytest.approx(10, abs=0.05)
    assert data.rotational_speed.mean() == pytest.approx(1538, abs=10)
    assert data.torque.mean() == pytest.approx(40, abs=0.3)
    assert np.corrcoef(data.torque, data.rotational_speed)[0, 1] < -0.8
    shares = [np.mean(data.product_type == p) for p in process_runs.PRODUCT_TYPES]
    assert shares == pytest.approx([0.5, 0.3, 0.2], abs=0.02)


def test_failures_follow_the_published_rules(data: process_runs.ProcessData) -> None:
    assert 0.02 < data.failed.mean() < 0.08  # "a few per cent", AI4I has 3.4 %
    modes = {m: np.mean(data.failure_mode == m) for m in process_runs.FAILURE_MODES}
    assert all(share > 0 for share in modes.values()), modes
    hdf = data.failure_mode == "HDF"
    delta_t = data.process_temperature - data.air_temperature
    assert np.all(delta_t[hdf] < 8.6)
    assert np.all(data.rotational_speed[hdf] < 1380)
    power = data.torque * data.rotational_speed * 2 * np.pi / 60
    pwf = data.failure_mode == "PWF"
    assert np.all((power[pwf] < 3500) | (power[pwf] > 9000))
    osf = data.failure_mode == "OSF"
    limits = np.vectorize(process_runs.OVERSTRAIN_LIMIT.__getitem__)(data.product_type[osf])
    assert np.all(data.tool_wear[osf] * data.torque[osf] > limits)


@pytest.mark.parametrize(
    ("entry", "min_roc_auc", "min_pr_auc", "min_f1"),
    [(quality.QUALITY_LOGREG, 0.85, 0.8, 0.8), (quality.QUALITY_SVM, 0.93, 0.75, 0.7)],
    ids=["logreg", "svm"],
)
def test_held_out_quality(
    entry: TrainedOnLoad, min_roc_auc: float, min_pr_auc: float, min_f1: float
) -> None:
    model = entry.load(0, {})
    held_out = classifiers.evaluate(
        _classifier(entry), process_runs.generate_process_runs(10_000, 99)
    )
    assert held_out["roc_auc"] >= min_roc_auc
    assert held_out["pr_auc"] >= min_pr_auc
    assert held_out["f1"] >= min_f1
    assert held_out["failure_mode_accuracy"] >= 0.85
    assert model.metrics["roc_auc"] >= min_roc_auc


def test_failure_mode_follows_the_rule_that_fired() -> None:
    model = _classifier(quality.QUALITY_LOGREG)
    overstrained = ProcessRun(
        product_type="L",
        air_temperature=300.0,
        process_temperature=310.0,
        rotational_speed=1400.0,
        torque=60.0,
        tool_wear=220.0,
    )
    hot_and_slow = overstrained.model_copy(
        update={
            "process_temperature": 308.0,
            "rotational_speed": 1300.0,
            "tool_wear": 10.0,
            "torque": 45.0,
        }
    )
    runs = process_runs.ProcessData.from_runs([overstrained, hot_and_slow])
    assert list(model.failure_mode(runs)) == ["OSF", "HDF"]
    assert (model.failure_probability(runs) > model.threshold).all()


@pytest.mark.parametrize(
    "fit", [classifiers.train_logreg, classifiers.train_svm], ids=["logreg", "svm"]
)
def test_training_is_deterministic(fit: object) -> None:
    train = process_runs.generate_process_runs(5_000, 1)
    validation = process_runs.generate_process_runs(2_000, 2)
    probe = process_runs.generate_process_runs(200, 3)
    first = fit(train, validation)  # type: ignore[operator]
    second = fit(train, validation)  # type: ignore[operator]
    assert np.array_equal(first.failure_probability(probe), second.failure_probability(probe))
    assert np.array_equal(first.failure_mode(probe), second.failure_mode(probe))
    assert first.threshold == second.threshold
