"""aiaas.plots: the numbers each picture states are the right ones (checked
against scikit-learn), and what is drawn is what was passed."""

from __future__ import annotations

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import numpy as np  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

from aiaas import plots  # noqa: E402
from aiaas.types import AnomalyAssessment, RulPrediction  # noqa: E402


def _legend(axes: object) -> list[str]:
    return [text.get_text() for text in axes.get_legend().get_texts()]  # type: ignore[attr-defined]


def test_roc_and_pr_curves_state_the_areas_scikit_learn_computes() -> None:
    rng = np.random.default_rng(0)
    truth = (rng.random(300) < 0.2).tolist()
    scores = (np.array(truth) * 0.8 + rng.random(300)).round(2).tolist()  # ties included
    roc = plots.roc_curve(truth, scores)
    assert _legend(roc)[0] == f"ROC-AUC {roc_auc_score(truth, scores):.3f}"
    pr = plots.pr_curve(truth, scores)
    assert _legend(pr)[0] == f"average precision {average_precision_score(truth, scores):.3f}"
    with pytest.raises(ValueError, match="both positive and negative"):
        plots.roc_curve([True, True], [0.1, 0.2])


def test_confusion_matrix_counts_rows_true_and_names_the_classes() -> None:
    axes = plots.confusion_matrix(
        ["pass", "pass", "fail", "fail"], ["pass", "fail", "fail", "fail"], classes=["pass", "fail"]
    )
    cells = [text.get_text() for text in axes.texts]
    assert cells == ["1", "1", "0", "2"]
    assert [label.get_text() for label in axes.get_yticklabels()] == ["pass", "fail"]
    assert axes.get_title() == "accuracy 0.750 on 4"
    with pytest.raises(ValueError, match="3 true classes but 2"):
        plots.confusion_matrix([1, 2, 3], [1, 2])


def test_rul_and_anomaly_pictures_take_the_sdks_outputs() -> None:
    predicted = [RulPrediction(rul=100.0 - c, rul_cap=125.0) for c in range(5)]
    axes = plots.rul_over_cycles(list(range(5)), predicted, actual=[99.0, 98, 97, 96, 95])
    assert np.asarray(axes.lines[0].get_ydata()).tolist() == [100.0, 99.0, 98.0, 97.0, 96.0]
    assessments = [
        AnomalyAssessment(anomaly_score=s, threshold=2.0, is_anomaly=s > 2.0, contributions=[])
        for s in (0.5, 1.0, 3.0)
    ]
    axes = plots.anomaly_scores(assessments)
    assert "threshold 2" in _legend(axes)
    above = np.asarray(axes.collections[0].get_offsets()).tolist()
    assert above == [[2.0, 3.0]]  # the one reading above it
