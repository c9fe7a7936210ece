"""Train a failure model on a line's own machining runs, and use it.

Uploads a CSV export of line 3 (streamed, whatever its size), reads the
server's data-quality report, compares three algorithms on the same
cross-validation folds (grouped by part, so no part is both trained on and
tested on) with a progress bar, then predicts a new run with the winner and
scores every run of the file with a batch prediction.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import aiaas
from aiaas.types import ClassPrediction, TrainingJob

RUNS = Path(__file__).resolve().parent / "data" / "line-3-runs.csv"
FEATURES = ["machine", "speed", "torque", "tool_wear", "coolant_c"]


def main() -> None:
    console = Console()
    with aiaas.Client(max_retries=4) as client:
        dataset = client.datasets.create(file=RUNS, name="line-3 runs", target="failed")
        quality = dataset.quality
        console.print(
            f"[bold]{dataset.name}[/]: {dataset.rows} rows, {quality.rows_with_missing} with a "
            f"missing value, {quality.duplicate_rows} duplicates"
        )
        for warning in quality.warnings:
            console.print(f"  [yellow]![/] {warning}")
        if quality.target is not None:
            console.print(f"  failed: {quality.target.counts}")

        job = client.training_jobs.create(
            model=["logistic-regression", "random-forest", "svm"],
            dataset_id=dataset.id,
            target="failed",
            features=FEATURES,
            validation={"cv_folds": 5, "group_by": "part"},
        )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("cross-validating", total=1.0)

            def show(update: TrainingJob) -> None:
                progress.update(task, completed=update.progress, description=update.status)

            job = client.training_jobs.wait(job.id, poll_interval=0.5, on_progress=show)
        if job.status != "succeeded" or job.result_model_id is None:
            raise SystemExit(f"training {job.status}: {job.error}")

        table = Table(title="5-fold cross-validation, grouped by part")
        for column in ("algorithm", "F1", "ROC-AUC", "accuracy"):
            table.add_column(column)
        for candidate in job.candidates:
            m = candidate.metrics
            table.add_row(
                candidate.algorithm, f"{m['f1']:.3f}", f"{m['roc_auc']:.3f}", f"{m['accuracy']:.3f}"
            )
        console.print(table)
        model = client.models.retrieve(job.result_model_id)
        console.print(f"kept [bold]{model.id}[/] (owner {model.owner})")

        new_run: dict[str, object] = {"machine": "B", "speed": 1420.0, "torque": 55.0}
        prediction = client.models.predict(model.id, inputs=[new_run], output_type=ClassPrediction)
        outcome = prediction.outputs[0]
        console.print(
            f"new run on machine B: failed={outcome.label}, "
            f"P(fail)={outcome.probabilities[True]:.2f} (tool wear unknown: imputed)"
        )

        batch = client.batch_predictions.create(model=model.id, dataset_id=dataset.id)
        batch = client.batch_predictions.wait(batch.id, poll_interval=0.5)
        flagged = [
            result.index
            for result in client.batch_predictions.results(batch.id, limit=1000)
            if result.output is not None and result.output.get("label") is True
        ]
        console.print(
            f"batch: {batch.succeeded_rows} runs scored, {batch.failed_rows} refused, "
            f"{len(flagged)} predicted to fail (first: rows {flagged[:5]})"
        )


if __name__ == "__main__":
    main()
