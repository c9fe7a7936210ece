"""Pass/fail quality prediction for a shift's machining runs.

Scores a batch of runs in one call, then flags the ones to inspect with the
failure mode each is most at risk of, and compares the logistic regression with
the support vector machine. Shows per-call parameters (a stricter decision
threshold) and typed error handling.
"""

from __future__ import annotations

import random
from typing import Literal

import aiaas
from aiaas.system_models import quality_logreg, quality_svm
from aiaas.types import ProcessRunDict, QualityOutcome

PRODUCT_MIX: list[Literal["L", "M", "H"]] = ["L", "L", "L", "M", "M", "H"]
"""Product variants in the proportions of a typical shift."""


def shift_runs(n: int, seed: int = 7) -> list[ProcessRunDict]:
    """Process readings of ``n`` runs, as a line's MES would export them."""
    rng = random.Random(seed)
    runs: list[ProcessRunDict] = []
    for _ in range(n):
        air = rng.gauss(300.0, 2.0)
        torque = max(4.0, rng.gauss(40.0, 10.0))
        runs.append(
            {
                "product_type": rng.choice(PRODUCT_MIX),
                "air_temperature": round(air, 1),
                "process_temperature": round(air + rng.gauss(10.0, 1.0), 1),
                "rotational_speed": round(1538 - 15.7 * (torque - 40) + rng.gauss(0, 87)),
                "torque": round(torque, 1),
                "tool_wear": rng.randrange(0, 240),
            }
        )
    return runs


def _failure_probability(flagged: tuple[int, QualityOutcome]) -> float:
    return flagged[1].failure_probability


def main() -> None:
    runs = shift_runs(200)
    with aiaas.Client(max_retries=4) as client:
        for model in ("quality-logreg", "quality-svm"):
            m = client.models.retrieve(model).metrics
            print(
                f"{model}: ROC-AUC {m['roc_auc']:.3f}, PR-AUC {m['pr_auc']:.3f}, "
                f"F1 {m['f1']:.3f} on held-out runs"
            )

        result = client.models.predict(quality_logreg, inputs=runs)
        flagged = [(i, out) for i, out in enumerate(result.outputs) if out.prediction == "fail"]
        print(
            f"{len(flagged)} of {len(runs)} runs predicted to fail "
            f"({result.usage.compute_ms:.1f} ms of model time)"
        )
        riskiest = sorted(flagged, key=_failure_probability, reverse=True)
        for i, out in riskiest[:5]:
            print(
                f"  run {i:3d}: p_fail={out.failure_probability:.3f} "
                f"mode={out.failure_mode} {runs[i]}"
            )

        svm = client.models.predict(quality_svm, inputs=runs).outputs
        both = sum(
            out.prediction == s.prediction == "fail"
            for out, s in zip(result.outputs, svm, strict=True)
        )
        print(f"the SVM flags {sum(s.prediction == 'fail' for s in svm)}, {both} of them the same")

        strict = client.models.predict(quality_logreg, inputs=runs, parameters={"threshold": 0.1})
        extra = sum(out.prediction == "fail" for out in strict.outputs) - len(flagged)
        print(f"a 0.1 threshold flags {extra} more runs for inspection")

        bad_run: ProcessRunDict = {**runs[0], "torque": -3.0}
        try:  # named by its handle, the model's row is checked before sending
            client.models.predict(quality_logreg, inputs=[bad_run])
        except ValueError as error:
            print(f"refused before sending: {error}")
        try:  # named by its id, the server checks it
            client.models.predict("quality-logreg", inputs=[bad_run], output_type=QualityOutcome)
        except aiaas.UnprocessableEntityError as error:
            fields = [e.field for e in error.body.errors] if error.body else []
            print(f"rejected by the server: {', '.join(fields)} ({error.code})")


if __name__ == "__main__":
    main()
