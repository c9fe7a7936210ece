"""Operating-regime clustering of turbofan cycles, with the async client.

Cycles flown at different altitudes, Mach numbers and throttle settings are
assigned to regimes, so that sensor trends can be compared within a regime.
Runs several calls concurrently.
"""

from __future__ import annotations

import asyncio
import collections
import random

import aiaas
from aiaas.system_models import regime_kmeans
from aiaas.types import FlightSettingsDict

CONDITIONS = [
    (0, 0.0, 100),
    (10, 0.25, 100),
    (20, 0.7, 100),
    (25, 0.62, 60),
    (35, 0.84, 100),
    (42, 0.84, 100),
]


def flight_log(n: int, seed: int) -> list[FlightSettingsDict]:
    rng = random.Random(seed)
    cycles: list[FlightSettingsDict] = []
    for _ in range(n):
        altitude, mach, tra = rng.choice(CONDITIONS)
        cycles.append(
            {
                "altitude": altitude + rng.gauss(0, 0.15),
                "mach": max(0.0, mach + rng.gauss(0, 0.003)),
                "throttle_resolver_angle": tra + rng.gauss(0, 0.3),
            }
        )
    return cycles


async def main() -> None:
    async with aiaas.AsyncClient() as client:
        engines = {f"engine-{n}": flight_log(50, seed=n) for n in range(1, 5)}
        results = await asyncio.gather(
            *(client.models.predict(regime_kmeans, inputs=log) for log in engines.values())
        )
        for name, result in zip(engines, results, strict=True):
            counts = collections.Counter(out.regime for out in result.outputs)
            print(f"{name}: cycles per regime {dict(sorted(counts.items()))}")

        centres = {out.regime: out.centre for r in results for out in r.outputs}
        print("regime centres:")
        for regime, centre in sorted(centres.items()):
            print(
                f"  {regime}: {centre.altitude:5.1f} kft  M{centre.mach:.2f}  "
                f"TRA {centre.throttle_resolver_angle:.0f}"
            )

        print("clustering models:", [m.id async for m in client.models.list(task="clustering")])


if __name__ == "__main__":
    asyncio.run(main())
