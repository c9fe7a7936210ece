"""A plant engineer's folder of labelled photos to a served, fine-tuned
defect-cnn: PNG and JPEG, grayscale and colour, sizes other than the model's,
uploaded from the folder and scored from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

import aiaas
from aiaas_mock.zoo.defect_cnn.data import CLASSES, generate_images
from tests.contract.conftest import LiveTenant
from tests.helpers import resolve


def photos(folder: Path, per_class: int) -> list[Path]:
    """Generated surfaces saved as a camera would: every other one an RGB JPEG,
    scaled to 150 pixels a side."""
    images, labels = generate_images(per_class, seed=21)
    saved = []
    for index, (pixels, label) in enumerate(zip(images, labels, strict=True)):
        picture = Image.fromarray(pixels).resize((150, 150))
        path = folder / CLASSES[label] / f"shot-{index}.{'jpg' if index % 2 else 'png'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if index % 2:
            picture.convert("RGB").save(path, format="JPEG", quality=92)
        else:
            picture.save(path, format="PNG")
        saved.append(path)
    return saved


async def test_a_folder_of_photos_to_a_fine_tuned_model(live: LiveTenant, tmp_path: Path) -> None:
    saved = photos(tmp_path / "line-4", per_class=3)
    client = live.client()
    dataset = await resolve(
        client.datasets.create(file=tmp_path / "line-4", name="line-4 photos", target="label")
    )
    assert dataset.rows == len(saved) == 3 * len(CLASSES)
    assert {c.name for c in dataset.columns} == {"image", "label"}
    assert dataset.quality.target is not None
    job = await resolve(
        client.training_jobs.create(
            model="defect-cnn",
            dataset_id=dataset.id,
            target="label",
            hyperparameters={"epochs": 2},
            validation={"cv_folds": 3},
        )
    )
    job = await resolve(client.training_jobs.wait(job.id, timeout=300, poll_interval=0.2))
    assert job.status == "succeeded", job.error
    assert "base_accuracy" in job.metrics
    assert job.result_model_id is not None
    jpeg = next(path for path in saved if path.suffix == ".jpg")
    answer = await resolve(
        client.models.predict(job.result_model_id, inputs=[aiaas.inputs.image(jpeg)])
    )
    (output,) = answer.outputs  # a tenant's model: its outputs are plain mappings
    assert output["label"] in CLASSES
    probabilities = np.array(list(output["probabilities"].values()))
    assert abs(probabilities.sum() - 1) < 1e-3
