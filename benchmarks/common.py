"""Inputs shared by the benchmarks."""

from __future__ import annotations

RUN = {
    "product_type": "M",
    "air_temperature": 300.0,
    "process_temperature": 310.0,
    "rotational_speed": 1500.0,
    "torque": 40.0,
    "tool_wear": 60.0,
}
"""One machining run, the small payload of a quality-logreg prediction."""
