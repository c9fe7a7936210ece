"""List the models you can call and run one prediction.

Reads AIAAS_BASE_URL and AIAAS_API_KEY from the environment, as printed by
``aiaas-mock serve``.
"""

from __future__ import annotations

import aiaas
from aiaas.system_models import quality_logreg
from aiaas.types import ProcessRunDict


def main() -> None:
    with aiaas.Client() as client:
        for model in client.models.list():  # walks every page
            metrics = ", ".join(f"{name}={value:g}" for name, value in model.metrics.items())
            print(f"{model.id:<20} {model.task:<24} {metrics}")

        run: ProcessRunDict = {
            "product_type": "L",
            "air_temperature": 298.9,
            "process_temperature": 309.1,
            "rotational_speed": 1410.0,
            "torque": 46.3,
            "tool_wear": 212.0,
        }
        prediction = client.models.predict(quality_logreg, inputs=[run])
        outcome = prediction.outputs[0]  # a QualityOutcome: typed, no cast
        print(f"\nrun -> {outcome.prediction} (p_fail={outcome.failure_probability:.3f})")


if __name__ == "__main__":
    main()
