"""Predictive maintenance: remaining useful life of an engine with ``rul-lstm``.

Reads an engine's sensor log and asks for the remaining life now and at earlier
points of its history, all in one call, to plan the next shop visit.
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import aiaas
from aiaas.system_models import rul_lstm

LOG = Path(__file__).parent / "data" / "engine-17.csv"
WINDOW = 30


def read_log() -> tuple[list[str], list[list[float]]]:
    with LOG.open() as source:
        rows = list(csv.reader(source))
    names = rows[0][1:]
    return names, [[float(value) for value in row[1:]] for row in rows[1:]]


async def main() -> None:
    names, cycles = read_log()
    checkpoints = [len(cycles) - back for back in (150, 100, 50, 0) if len(cycles) - back >= WINDOW]
    inputs = [
        aiaas.inputs.sensor_window(cycles[end - WINDOW : end], names=names) for end in checkpoints
    ]
    async with aiaas.AsyncClient() as client:
        prediction = await client.models.predict(rul_lstm, inputs=inputs)
    for end, result in zip(checkpoints, prediction.outputs, strict=True):
        note = " (capped)" if result.rul >= result.rul_cap - 1 else ""
        print(f"after cycle {end:3d}: about {result.rul:5.1f} cycles left{note}")
    latest = prediction.outputs[-1].rul
    if latest < 30:
        print(f"plan a shop visit within {int(latest)} cycles")


if __name__ == "__main__":
    asyncio.run(main())
