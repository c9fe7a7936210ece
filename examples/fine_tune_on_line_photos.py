"""Fine-tune defect-cnn on a line's own labelled photos, then inspect with it.

A folder laid out ``class_name/*.jpg`` (30 photos a class) becomes a dataset in
one call; a training job fine-tunes defect-cnn's head on it, measured on
held-out folds beside the shipped model on the same photos; the fine-tuned model
serves at once, under its own id.

    python examples/fine_tune_on_line_photos.py [FOLDER]

Without a folder, stand-in photos are written to a temporary one first (by
``examples/data/generate.py --photos``): a camera the shipped model never saw.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import aiaas
from aiaas.system_models import defect_cnn
from aiaas.types import DefectClassification

GENERATE = Path(__file__).resolve().parent / "data" / "generate.py"


def photos_folder(argv: list[str], scratch: Path) -> Path:
    if argv:
        return Path(argv[0])
    folder = scratch / "line-4-photos"
    subprocess.run([sys.executable, str(GENERATE), "--photos", str(folder)], check=True)
    return folder


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch, aiaas.Client() as client:
        folder = photos_folder(argv, Path(scratch))
        photos = client.datasets.create(file=folder, name="line-4 photos", target="label")
        print(f"{photos.rows} photos of {len(list(folder.iterdir()))} classes uploaded")

        job = client.training_jobs.create(
            model="defect-cnn",
            dataset_id=photos.id,
            target="label",
            hyperparameters={"mode": "head"},
            validation={"cv_folds": 3},
        )
        # Half a minute on two idle cores; a busy machine takes longer.
        job = client.training_jobs.wait(job.id, timeout=900)
        if job.result_model_id is None:
            raise SystemExit(f"training failed: {job.error}")
        print(
            f"held-out accuracy on this line: fine-tuned {job.metrics['accuracy']:.3f}, "
            f"shipped {job.metrics['base_accuracy']:.3f}"
        )

        shots = sorted(folder.glob("*/*.jpg"))[::40]
        inputs = [aiaas.inputs.image(path) for path in shots]
        tuned = client.models.predict(
            job.result_model_id, inputs=inputs, output_type=DefectClassification
        )
        shipped = client.models.predict(defect_cnn, inputs=inputs)
        for path, mine, theirs in zip(shots, tuned.outputs, shipped.outputs, strict=True):
            print(
                f"{path.parent.name:>16}/{path.name}: fine-tuned says {mine.label:<16} "
                f"shipped says {theirs.label}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
