"""From a pandas DataFrame to a trained model, and its predictions back as a DataFrame.

A data scientist's loop: the line's runs are in a DataFrame (read from the
historian's CSV export, a feature added), uploaded as they are (sent as
Parquet: column types and missing values travel with it) with a progress bar,
a model is trained on them, new runs are scored straight from a DataFrame, and
a batch prediction's results come back as a DataFrame to join onto the runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress

import aiaas
from aiaas.types import ClassPrediction

RUNS = Path(__file__).resolve().parent / "data" / "line-3-runs.csv"
FEATURES = ["machine", "speed", "torque", "tool_wear", "coolant_c", "power_kw"]


def load_runs() -> pd.DataFrame:
    runs = pd.read_csv(RUNS)
    # Mechanical power from speed (rpm) and torque (N m): a feature of our own.
    runs["power_kw"] = (runs["speed"] * runs["torque"] / 9549).round(3)
    # Some readings never arrived: NaN, as pandas writes a missing value.
    runs.loc[runs.index % 97 == 0, "coolant_c"] = np.nan
    return runs


def main() -> None:
    console = Console()
    runs = load_runs()
    with aiaas.Client(max_retries=4) as client:
        with Progress(console=console) as progress:
            task = progress.add_task("uploading", total=None)

            def sent(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            dataset = client.datasets.create(
                file=runs, name="line-3 runs", target="failed", on_progress=sent
            )
        missing = {c.name: c.missing for c in dataset.columns if c.missing}
        console.print(f"{dataset.rows} runs as {dataset.format}; missing values: {missing}")

        job = client.training_jobs.create(
            model="random-forest",
            dataset_id=dataset.id,
            target="failed",
            features=FEATURES,
            validation={"cv_folds": 5, "group_by": "part"},
        )
        job = client.training_jobs.wait(job.id, poll_interval=0.5)
        if job.status != "succeeded" or job.result_model_id is None:
            raise SystemExit(f"training {job.status}: {job.error}")
        console.print(f"random forest, 5 folds grouped by part: F1 {job.metrics['f1']:.3f}")

        new_runs = runs.sample(3, random_state=1)
        scored = client.models.predict(
            job.result_model_id, inputs=new_runs[FEATURES], output_type=ClassPrediction
        )
        new_runs["p_fail"] = [outcome.probabilities[True] for outcome in scored.outputs]
        console.print(new_runs[["part", "machine", "tool_wear", "p_fail"]].to_string(index=False))

        batch = client.batch_predictions.create(model=job.result_model_id, dataset_id=dataset.id)
        batch = client.batch_predictions.wait(batch.id, poll_interval=0.5)
        results = client.batch_predictions.results_content(batch.id).to_pandas()
        scored_runs = runs.join(results.set_index("index"))
        by_machine = scored_runs.groupby("machine").agg(
            runs=("part", "size"),
            failed=("failed", "sum"),
            predicted=("output.label", "sum"),
        )
        console.print(by_machine.to_string())


if __name__ == "__main__":
    main()
