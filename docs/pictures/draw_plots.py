"""Draws docs/pictures/plots.png with aiaas.plots, from real calls to a local mock
server: a failure model trained on two thirds of line 3's runs and scored on the
rest (confusion matrix, ROC and precision-recall curves), an engine's remaining
life over its cycles, and a pump's anomaly scores over an hour.

    python docs/pictures/draw_plots.py [OUT]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

import aiaas
from aiaas import plots
from aiaas.system_models import rul_lstm, sensor_autoencoder
from aiaas.types import ClassPrediction, PumpReading
from aiaas_mock import MockServer

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
OUT = Path(__file__).resolve().parent / "plots.png"
FEATURES = ["machine", "speed", "torque", "tool_wear", "coolant_c"]
WINDOW = 30
CYCLES_LEFT_AT_END = 12  # the log stops 12 cycles before the engine failed


def _read(name: str) -> list[list[str]]:
    with (DATA / name).open(newline="") as source:
        return list(csv.reader(source))


def _records(name: str) -> list[dict[str, str]]:
    header, *rows = _read(name)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _split_runs() -> tuple[bytes, list[dict[str, str]]]:
    """The first two thirds of line 3's runs as CSV to train on, and the rest."""
    rows = _records("line-3-runs.csv")
    cut = len(rows) * 2 // 3
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows[:cut])
    return text.getvalue().encode(), rows[cut:]


def _quality(client: aiaas.Client, axes: list[Axes]) -> None:
    train, held_out = _split_runs()
    dataset = client.datasets.create(file=train, name="line-3 first runs", format="csv")
    job = client.training_jobs.create(
        model="random-forest", dataset_id=dataset.id, target="failed", features=FEATURES,
        validation={"cv_folds": 3, "group_by": "part"},
    )  # fmt: skip
    job = client.training_jobs.wait(job.id, timeout=600, progress=False)
    assert job.result_model_id is not None, job.error
    runs = [
        {name: (float(row[name]) if row[name] and name != "machine" else row[name] or None)
         for name in FEATURES}
        for row in held_out
    ]  # fmt: skip
    answer = client.models.predict(job.result_model_id, inputs=runs, output_type=ClassPrediction)
    truth = [row["failed"] == "true" for row in held_out]
    plots.confusion_matrix(
        truth, [bool(o.label) for o in answer.outputs], classes=[False, True], ax=axes[0]
    )
    axes[0].set_title(f"failures of {len(truth)} later runs: {axes[0].get_title()}")
    scores = [o.probabilities[True] for o in answer.outputs]
    plots.roc_curve(truth, scores, ax=axes[1])
    plots.pr_curve(truth, scores, ax=axes[2])


def _engine(client: aiaas.Client, ax: Axes) -> None:
    rows = _read("engine-17.csv")
    names, cycles = rows[0][1:], [[float(v) for v in row[1:]] for row in rows[1:]]
    ends = list(range(WINDOW, len(cycles) + 1, 5))
    windows = [aiaas.inputs.sensor_window(cycles[end - WINDOW : end], names=names) for end in ends]
    answer = client.models.predict(rul_lstm, inputs=windows)
    actual = [float(len(cycles) - end + CYCLES_LEFT_AT_END) for end in ends]
    plots.rul_over_cycles(ends, answer.outputs, actual=actual, ax=ax)
    ax.set_title("engine 17: remaining life (the true one capped at 125 in training)")


def _pump(client: aiaas.Client, ax: Axes) -> None:
    rows = _records("pump-p3.csv")
    readings = [
        PumpReading.model_validate({k: float(v) for k, v in row.items() if k != "minute"})
        for row in rows
    ]
    answer = client.models.predict(sensor_autoencoder, inputs=readings)
    plots.anomaly_scores(answer.outputs, times=[int(row["minute"]) for row in rows], ax=ax)
    ax.set_title("pump P3: the bearing starts to go at minute 40")


def main(out: Path = OUT) -> Path:
    figure, grid = plt.subplots(2, 3, figsize=(16, 9.5))
    with (
        MockServer() as server,
        aiaas.Client(api_key=server.api_key, base_url=server.base_url) as client,
    ):
        _quality(client, list(grid[0]))
        _engine(client, grid[1][0])
        _pump(client, grid[1][1])
    grid[1][2].axis("off")
    figure.tight_layout()
    figure.savefig(out, dpi=80)
    plt.close(figure)
    return out


if __name__ == "__main__":
    print(f"wrote {main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)}")
