"""Reproduce the shipped weights: ``python -m aiaas_mock.zoo.train <model-id> ...``.

Training is deterministic (fixed seeds, generated data, two CPU threads), writes
``weights/<id>.<suffix>`` and ``weights/<id>.json`` with the held-out metrics,
and prints those metrics. For the models trained when first used (the
scikit-learn ones), it writes only ``weights/<id>.metrics.json``: their cards'
metrics for the default data seed. Models are trained after the models they require;
a required model not trained in this run is read from ``--out`` if it is there,
else from the shipped weights.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .entries import ShippedModel
from .model_spec import Predictor
from .registry import shipped_models, trained_on_load_models
from .shipped_weights import WEIGHTS_DIR, card_path


def main(argv: Sequence[str] | None = None) -> int:
    models = shipped_models()
    measured = trained_on_load_models()
    parser = argparse.ArgumentParser(prog="python -m aiaas_mock.zoo.train", description=__doc__)
    parser.add_argument("models", nargs="+", choices=[*measured, *models, "all"])
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write")
    args = parser.parse_args(argv)
    chosen = {*models, *measured} if "all" in args.models else set(args.models)
    for model_id, trained in measured.items():
        if model_id in chosen:
            metrics = trained.measure_into(args.out)
            print(f"{model_id}: {json.dumps(metrics)} (measured for its card)", flush=True)
    for model_id, entry in models.items():  # requirements first
        if model_id in chosen:
            needs = {required: _restored(models, required, args.out) for required in entry.requires}
            card = entry.train_into(args.out, needs)
            print(f"{model_id}: {json.dumps(card.metrics)} ({card.training_seconds} s)", flush=True)
    return 0


def _restored(models: dict[str, ShippedModel[Any]], model_id: str, out: Path) -> Predictor:
    """A required model as trained into ``out``, or as shipped if it is not there."""
    entry = models[model_id]
    home = out if card_path(model_id, out).exists() else WEIGHTS_DIR
    needs = {required: _restored(models, required, out) for required in entry.requires}
    return entry.restore_from(home, needs)


if __name__ == "__main__":
    sys.exit(main())
