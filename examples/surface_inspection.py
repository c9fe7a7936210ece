"""Surface inspection of steel coils: classify camera images with ``defect-cnn``.

Sends every image of a coil in one call and stops the line for any defect seen
with enough confidence.
"""

from __future__ import annotations

from pathlib import Path

import aiaas
from aiaas.system_models import defect_cnn

IMAGES = sorted((Path(__file__).parent / "data").glob("coil-*.png"))
CONFIDENCE = 0.8


def main() -> None:
    with aiaas.Client() as client:
        card = client.models.retrieve("defect-cnn")
        print(
            f"{card.id} (trained on {card.training_data} data): accuracy "
            f"{card.metrics['accuracy']:.3f} on held-out images, "
            f"{card.metrics['defects_called_no_defect']:.1%} of defects missed as clean"
        )
        prediction = client.models.predict(
            defect_cnn, inputs=[aiaas.inputs.image(path) for path in IMAGES]
        )
        for path, result in zip(IMAGES, prediction.outputs, strict=True):
            confidence = result.probabilities[result.label]
            action = "ok"
            if result.label != "no_defect" and confidence >= CONFIDENCE:
                action = "STOP: send to manual inspection"
            print(f"{path.name}: {result.label:<16} {confidence:.2f}  {action}")
        print(f"{len(IMAGES)} images in {prediction.usage.compute_ms:.0f} ms of model time")


if __name__ == "__main__":
    main()
