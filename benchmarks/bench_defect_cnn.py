"""defect-cnn 3.0.0: what an image costs, and what fine-tuning on a few images buys.

* cost: milliseconds per image at batch 1, 64 and 1,000, interleaved: the served
  model's ``predict`` (grey pixels in, validated, resized, classified) beside the
  runtime in process (EfficientNet-Lite0's ``extract_features`` on ready
  224 x 224 tensors, pooling and the head: torch alone);
* fine-tuning: training jobs through the SDK against an in-process mock, on 5, 10
  and 30 images a class of generated stand-ins for a plant's own line (drawn by
  a camera the shipped head never saw, seed 7), in ``head`` and ``last_blocks``
  mode: held-out accuracy over 3 folds beside the shipped model's on the same
  folds (``base_accuracy``), and the job's wall time.

Usage: python benchmarks/bench_defect_cnn.py [--cost-only | --fine-tuning-only]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import time
from typing import Any

import numpy as np
from PIL import Image

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.zoo.defect_cnn import DEFECT_CNN, backbone
from aiaas_mock.zoo.defect_cnn.data import CLASSES, OTHER_CAMERA, generate_images
from aiaas_mock.zoo.defect_cnn.serving import DefectClassifier, SurfaceImage
from aiaas_mock.zoo.kit.torch_helpers import torch_module


def _runtime(classifier: DefectClassifier, tensors: Any) -> None:
    torch = torch_module()
    network = classifier.network
    with torch.inference_mode():
        for start in range(0, len(tensors), backbone.CHUNK):
            features = network.trunk.extract_features(tensors[start : start + backbone.CHUNK])
            network.head(features.mean(dim=(2, 3)))


def cost() -> None:
    torch = torch_module()
    classifier = DEFECT_CNN.load(0, {}).predictor
    assert isinstance(classifier, DefectClassifier)
    images, _ = generate_images(15, seed=3)
    print("cost per image (ms), median of rounds, served predict vs torch alone")
    print(f"  {'batch':>6} {'served':>8} {'runtime':>8} {'ratio':>6} {'images/s':>9}")
    for batch in (1, 64, 1000):
        chosen = images[np.arange(batch) % len(images)]
        inputs = [SurfaceImage(pixels=image.tolist()) for image in chosen]
        tensors = torch.from_numpy(backbone.network_input(chosen)).contiguous(
            memory_format=torch.channels_last
        )
        rounds = 5 if batch < 1000 else 2
        repeats = max(1, 64 // batch)
        served, runtime = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(repeats):
                classifier.predict(inputs, None)  # type: ignore[arg-type]
            served.append((time.perf_counter() - started) / repeats / batch * 1000)
            started = time.perf_counter()
            for _ in range(repeats):
                _runtime(classifier, tensors)
            runtime.append((time.perf_counter() - started) / repeats / batch * 1000)
        s, r = float(np.median(served)), float(np.median(runtime))
        print(f"  {batch:>6} {s:8.2f} {r:8.2f} {s / r:6.2f} {1000 / s:9.0f}")


def _rows(per_class: int) -> bytes:
    images, labels = generate_images(per_class, seed=7, rendering=OTHER_CAMERA)
    lines = []
    for image, label in zip(images, labels, strict=True):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        encoded = base64.b64encode(buffer.getvalue()).decode()
        lines.append(json.dumps({"image": encoded, "label": CLASSES[label]}))
    return ("\n".join(lines) + "\n").encode()


def fine_tuning() -> None:
    print("\nfine-tuning on another camera's images, 3 folds (held-out accuracy)")
    print(f"  {'a class':>7} {'mode':<12} {'tuned':>6} {'shipped':>8} {'job s':>6}")
    with (
        MockServer() as server,
        aiaas.Client(api_key=server.api_key, base_url=server.base_url) as client,
    ):
        for per_class in (5, 10, 30):
            dataset = client.datasets.create(
                file=_rows(per_class), name=f"line-{per_class}", format="jsonl"
            )
            for mode in ("head", "last_blocks"):
                started = time.perf_counter()
                job = client.training_jobs.create(
                    model="defect-cnn",
                    dataset_id=dataset.id,
                    target="label",
                    hyperparameters={"mode": mode},
                    validation={"cv_folds": 3},
                )
                job = client.training_jobs.wait(job.id, timeout=900, progress=False)
                seconds = time.perf_counter() - started
                assert job.status == "succeeded", job.error
                metrics = job.metrics
                print(
                    f"  {per_class:>7} {mode:<12} {metrics['accuracy']:6.3f} "
                    f"{metrics['base_accuracy']:8.3f} {seconds:6.1f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost-only", action="store_true")
    parser.add_argument("--fine-tuning-only", action="store_true")
    args = parser.parse_args()
    if not args.fine_tuning_only:
        cost()
    if not args.cost_only:
        fine_tuning()


if __name__ == "__main__":
    main()
