"""Reproduce the shipped weights: ``python -m aiaas_mock.zoo.train <model-id> ...``.

Training is deterministic (fixed seeds, generated data, two CPU threads), writes
``weights/<id>.<suffix>`` and ``weights/<id>.json`` with the held-out metrics,
and prints those metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .shipped import WEIGHTS_DIR, ShippedModel, write_metadata


def shipped_models() -> dict[str, ShippedModel]:
    """The catalogue's models with shipped weights, in catalogue order (which
    trains maintenance-ner before maintenance-srl, which reads its output)."""
    from .catalogue import system_entries

    entries = [entry for entry in system_entries() if isinstance(entry, ShippedModel)]
    return {entry.spec.id: entry for entry in entries}


def main(argv: Sequence[str] | None = None) -> int:
    models = shipped_models()
    parser = argparse.ArgumentParser(prog="python -m aiaas_mock.zoo.train", description=__doc__)
    parser.add_argument("models", nargs="+", choices=[*models, "all"])
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write")
    args = parser.parse_args(argv)
    chosen = list(models) if "all" in args.models else args.models
    args.out.mkdir(parents=True, exist_ok=True)
    for model_id in chosen:
        entry = models[model_id]
        started = time.perf_counter()
        metadata = entry.train(args.out)
        metadata = {
            "model": model_id,
            "version": entry.spec.version,
            **metadata,
            "training_seconds": round(time.perf_counter() - started, 1),
        }
        write_metadata(model_id, metadata, args.out)
        print(
            f"{model_id}: {json.dumps(metadata['metrics'])} ({metadata['training_seconds']} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
