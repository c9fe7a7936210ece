"""How the shipped ``quality-logreg`` and ``quality-svm`` are trained and
measured, reproducibly: on the real AI4I 2020 rows in ``real_data/``.

The card's metrics come from 5-fold stratified cross-validation of the whole
recipe (both heads and the threshold) on those rows; the served model is then
fitted on all of them and written as its parameters. ``generated_*`` are the
served model on runs from the generator, which tests and examples use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..model_spec import Needs
from ..shipped_weights import WeightsCard
from .ai4i import load_ai4i, published_rules
from .data import generate_process_runs
from .model import Fit, cross_validate, evaluate, fit, to_params


def trainer(fit_failure: Fit) -> Callable[[Path, Needs], WeightsCard]:
    """How the model whose failure head ``fit_failure`` fits is trained and measured."""

    def train_and_measure(weights: Path, needs: Needs) -> WeightsCard:
        from sklearn.metrics import f1_score

        data = load_ai4i()
        metrics = cross_validate(fit_failure, data, seed=0)
        model = fit(fit_failure, data)
        weights.write_text(json.dumps(to_params(model), sort_keys=True) + "\n")
        generated = evaluate(model, generate_process_runs(10_000, seed=2))
        metrics.update({f"generated_{name}": value for name, value in generated.items()})
        rules_f1 = f1_score(data.failed, published_rules(data))
        return WeightsCard(
            metrics=metrics,
            references={"published_rules_f1": round(float(rules_f1), 4)},
            data={
                "train": f"real: {len(data.failed):,} AI4I 2020 runs "
                f"({int(data.failed.sum())} failed)",
                "evaluation": "5-fold stratified cross-validation of the whole recipe "
                "(seed 0); generated_*: the served model on 10,000 generated runs (seed 2)",
            },
        )

    return train_and_measure
