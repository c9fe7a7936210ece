"""quality-logreg and quality-svm: the real AI4I rows, the generator, the shipped
parameters and the metrics their cards state."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas.types import ProcessRun
from aiaas_mock.zoo import quality
from aiaas_mock.zoo.entries import ShippedModel
from aiaas_mock.zoo.quality import data as process_runs
from aiaas_mock.zoo.quality import model as classifiers
from aiaas_mock.zoo.quality.ai4i import UNRECORDED_MODE, load_ai4i
from aiaas_mock.zoo.quality.data import FAILURE_MODES
from aiaas_mock.zoo.quality.serving import QualityPredictor
from aiaas_mock.zoo.shipped_weights import WeightsCard


def _classifier(entry: ShippedModel[WeightsCard]) -> classifiers.QualityClassifier:
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


def test_ai4i_holds_the_real_half() -> None:
    runs = load_ai4i()
    assert len(runs.failed) == 5_000
    assert runs.failed.sum() == 166
    modes = {m: int(np.sum(runs.failure_mode == m)) for m in (*FAILURE_MODES, UNRECORDED_MODE)}
    assert modes == {"TWF": 26, "HDF": 57, "PWF": 41, "OSF": 38, "RNF": 0, UNRECORDED_MODE: 4}


@pytest.mark.parametrize("entry", [quality.QUALITY_LOGREG, quality.QUALITY_SVM], ids=["lr", "svm"])
def test_cards_report_cross_validation_on_real_runs(entry: ShippedModel[WeightsCard]) -> None:
    card = entry.card()
    assert entry.spec.training_data == "real"
    assert card.metrics["f1"] >= 0.8
    assert card.metrics["pr_auc"] >= 0.8
    assert card.metrics["failure_mode_accuracy"] >= 0.9
    assert card.metrics["failure_rate"] == pytest.approx(166 / 5_000, abs=1e-4)
    assert card.references["published_rules_f1"] == pytest.approx(0.9043, abs=1e-4)


@pytest.mark.parametrize(
    ("entry", "min_f1"),
    [(quality.QUALITY_LOGREG, 0.85), (quality.QUALITY_SVM, 0.6)],
    ids=["lr", "svm"],
)
def test_served_model_on_generated_runs_matches_its_card(
    entry: ShippedModel[WeightsCard], min_f1: float
) -> None:
    model = entry.load(0, {})
    held_out = classifiers.evaluate(
        _classifier(entry), process_runs.generate_process_runs(10_000, 2)
    )
    assert held_out["f1"] >= min_f1
    for name, value in held_out.items():
        assert value == pytest.approx(model.metrics[f"generated_{name}"], abs=0.002)


@pytest.mark.parametrize(
    ("entry", "fit_failure"),
    [
        (quality.QUALITY_LOGREG, classifiers.fit_logistic_failure),
        (quality.QUALITY_SVM, classifiers.fit_svm_failure),
    ],
    ids=["lr", "svm"],
)
def test_shipped_parameters_are_what_training_gives(
    entry: ShippedModel[WeightsCard], fit_failure: classifiers.Fit
) -> None:
    runs = load_ai4i()
    shipped = _classifier(entry)
    retrained = classifiers.fit(fit_failure, runs)
    # Solvers on another CPU's BLAS kernels end a hair apart; the calls do not move.
    assert retrained.failure_probability(runs) == pytest.approx(
        shipped.failure_probability(runs), abs=1e-4
    )
    assert retrained.threshold == pytest.approx(shipped.threshold, abs=1e-4)
    assert np.array_equal(retrained.failure_mode(runs), shipped.failure_mode(runs))


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
    "fit_failure",
    [classifiers.fit_logistic_failure, classifiers.fit_svm_failure],
    ids=["lr", "svm"],
)
def test_training_is_deterministic(fit_failure: classifiers.Fit) -> None:
    train = process_runs.generate_process_runs(3_000, 1)
    probe = process_runs.generate_process_runs(200, 3)
    first = classifiers.fit(fit_failure, train)
    second = classifiers.fit(fit_failure, train)
    assert np.array_equal(first.failure_probability(probe), second.failure_probability(probe))
    assert np.array_equal(first.failure_mode(probe), second.failure_mode(probe))
    assert first.threshold == second.threshold


@pytest.mark.slow
@pytest.mark.parametrize(
    ("entry", "fit_failure"),
    [
        (quality.QUALITY_LOGREG, classifiers.fit_logistic_failure),
        (quality.QUALITY_SVM, classifiers.fit_svm_failure),
    ],
    ids=["lr", "svm"],
)
def test_cross_validation_reproduces_the_card(
    entry: ShippedModel[WeightsCard], fit_failure: classifiers.Fit
) -> None:
    metrics = classifiers.cross_validate(fit_failure, load_ai4i(), seed=0)
    for name, value in metrics.items():
        assert value == pytest.approx(entry.card().metrics[name], abs=0.01), name
