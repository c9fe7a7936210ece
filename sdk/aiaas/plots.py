"""Pictures of what comes back, drawn with matplotlib (``pip install
"aiaas[plots]"``): a confusion matrix, ROC and precision-recall curves,
remaining useful life over cycles, anomaly scores over time.

Each function draws on ``ax`` (a new figure's axes when ``None``) and returns
the axes, so pictures compose and notebooks show them. The numbers drawn are
computed here from what you pass (true classes, predicted ones, scores), never
fetched: pass a batch prediction's outputs beside the dataset's labels, or a
trained model's answers on data it did not learn from.
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from .types.outputs import AnomalyAssessment, RulPrediction

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["anomaly_scores", "confusion_matrix", "pr_curve", "roc_curve", "rul_over_cycles"]


def _pyplot() -> Any:
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise ImportError('aiaas.plots draws with matplotlib: pip install "aiaas[plots]"') from None


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, new = _pyplot().subplots()
    result: Axes = new
    return result


def confusion_matrix(
    truth: Sequence[Hashable],
    predicted: Sequence[Hashable],
    *,
    classes: Sequence[Hashable] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Counts of (true class, predicted class), rows true; each cell shaded by its
    share of its row, so a rare class's errors show as plainly as a common one's."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true classes but {len(predicted)} predicted")
    order = list(classes) if classes is not None else sorted(set(truth) | set(predicted), key=str)
    index = {label: i for i, label in enumerate(order)}
    counts = [[0] * len(order) for _ in order]
    for actual, guess in zip(truth, predicted, strict=True):
        counts[index[actual]][index[guess]] += 1
    shares = [[n / (sum(row) or 1) for n in row] for row in counts]
    axes = _axes(ax)
    axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            colour = "white" if shares[i][j] > 0.6 else "black"
            axes.text(j, i, str(n), ha="center", va="center", color=colour)
    names = [str(label) for label in order]
    axes.set_xticks(range(len(order)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(order)), names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    correct = sum(counts[i][i] for i in range(len(order)))
    axes.set_title(f"accuracy {correct / max(1, len(truth)):.3f} on {len(truth)}")
    return axes


def _ranked(truth: Sequence[bool], scores: Sequence[float]) -> list[tuple[int, int]]:
    """True and false positives above each distinct score, highest score first."""
    if len(truth) != len(scores):
        raise ValueError(f"{len(truth)} true classes but {len(scores)} scores")
    if not any(truth) or all(truth):
        raise ValueError("a curve needs both positive and negative examples")
    pairs = sorted(zip(scores, truth, strict=True), key=lambda pair: -pair[0])
    points, tp, fp = [], 0, 0
    for position, (score, positive) in enumerate(pairs):
        tp, fp = tp + bool(positive), fp + (not positive)
        if position + 1 == len(pairs) or pairs[position + 1][0] != score:
            points.append((tp, fp))
    return points


def roc_curve(truth: Sequence[bool], scores: Sequence[float], *, ax: Axes | None = None) -> Axes:
    """The ROC curve of scores for a positive class, with its area (ROC-AUC)."""
    points = _ranked(truth, scores)
    positives, negatives = points[-1]
    tpr = [0.0] + [tp / positives for tp, _ in points]
    fpr = [0.0] + [fp / negatives for _, fp in points]
    area = sum((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 for i in range(1, len(fpr)))
    axes = _axes(ax)
    axes.plot(fpr, tpr, label=f"ROC-AUC {area:.3f}")
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.legend(loc="lower right")
    return axes


def pr_curve(truth: Sequence[bool], scores: Sequence[float], *, ax: Axes | None = None) -> Axes:
    """Precision against recall for a positive class, with the average precision
    and the share of positives (what a guess would reach)."""
    points = _ranked(truth, scores)
    positives = points[-1][0]
    recall = [tp / positives for tp, _ in points]
    precision = [tp / (tp + fp) for tp, fp in points]
    average = sum(
        (recall[i] - (recall[i - 1] if i else 0.0)) * precision[i] for i in range(len(points))
    )
    axes = _axes(ax)
    axes.step(recall, precision, where="post", label=f"average precision {average:.3f}")
    base = positives / len(truth)
    axes.axhline(base, linestyle=":", color="grey", label=f"share of positives {base:.3f}")
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_ylim(0.0, 1.02)
    axes.legend(loc="lower left")
    return axes


def rul_over_cycles(
    cycles: Sequence[float],
    predicted: Sequence[RulPrediction | float],
    *,
    actual: Sequence[float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Predicted remaining useful life at each cycle (and the true one if known)."""
    values = [p.rul if isinstance(p, RulPrediction) else float(p) for p in predicted]
    if len(values) != len(cycles):
        raise ValueError(f"{len(cycles)} cycles but {len(values)} predictions")
    axes = _axes(ax)
    axes.plot(cycles, values, marker=".", label="predicted")
    if actual is not None:
        axes.plot(cycles, actual, linestyle="--", color="black", label="actual")
    axes.set_xlabel("cycle")
    axes.set_ylabel("remaining useful life, cycles")
    axes.legend()
    return axes


def anomaly_scores(
    scores: Sequence[AnomalyAssessment | float],
    *,
    times: Sequence[Any] | None = None,
    threshold: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Anomaly scores over time, the threshold drawn and readings above it marked."""
    values = [s.anomaly_score if isinstance(s, AnomalyAssessment) else float(s) for s in scores]
    if threshold is None:
        threshold = next((s.threshold for s in scores if isinstance(s, AnomalyAssessment)), None)
    at = list(times) if times is not None else list(range(len(values)))
    if len(at) != len(values):
        raise ValueError(f"{len(at)} times but {len(values)} scores")
    axes = _axes(ax)
    axes.plot(at, values, label="anomaly score")
    if threshold is not None:
        axes.axhline(threshold, linestyle="--", color="red", label=f"threshold {threshold:.3g}")
        above = [(t, v) for t, v in zip(at, values, strict=True) if v > threshold]
        if above:
            axes.scatter(*zip(*above, strict=True), color="red", zorder=3, label="above it")
    axes.set_xlabel("time" if times is not None else "reading")
    axes.set_ylabel("anomaly score")
    axes.legend()
    return axes
