"""Inputs shared by the benchmarks."""

from __future__ import annotations

from aiaas_mock.zoo.examples import PROCESS_RUN

RUN = PROCESS_RUN
"""One machining run, the small payload of a quality-logreg prediction."""
