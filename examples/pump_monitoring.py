"""Condition monitoring of a pump: anomaly scores with ``sensor-autoencoder``.

Scores an hour of readings in one call and reports when readings leave the
pump's normal behaviour, and which sensors are to blame.
"""

from __future__ import annotations

import csv
from pathlib import Path

import aiaas
from aiaas.system_models import sensor_autoencoder
from aiaas.types import PumpReading

READINGS = Path(__file__).parent / "data" / "pump-p3.csv"


def main() -> None:
    with READINGS.open() as source:
        rows: list[dict[str, str]] = list(csv.DictReader(source))
    minutes = [int(row.pop("minute")) for row in rows]
    # The CSV's columns are the reading's fields; validate them into typed rows.
    inputs = [PumpReading.model_validate(row) for row in rows]
    with aiaas.Client() as client:
        prediction = client.models.predict(sensor_autoencoder, inputs=inputs)
    results = prediction.outputs
    alarms = [(m, r) for m, r in zip(minutes, results, strict=True) if r.is_anomaly]
    print(
        f"{len(alarms)} of {len(results)} readings anomalous (threshold {results[0].threshold:.2f})"
    )
    for minute, result in alarms[:8]:
        blamed = ", ".join(f"{c.sensor} {c.share:.0%}" for c in result.contributions)
        print(f"  minute {minute:2d}: score {result.anomaly_score:7.2f}  {blamed}")


if __name__ == "__main__":
    main()
