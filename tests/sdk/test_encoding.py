"""Inputs turned into JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aiaas._encoding import dumps, to_jsonable
from aiaas.types import Usage


def test_bytes_become_base64() -> None:
    assert to_jsonable({"image": b"\x89PNG"}) == {"image": "iVBORw=="}


def test_arrays_become_lists() -> None:
    value = {"window": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.int64(3)}
    assert to_jsonable(value) == {"window": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "n": 3}


def test_models_become_their_json() -> None:
    assert to_jsonable([Usage(inputs=1, compute_ms=2.5)]) == [{"inputs": 1, "compute_ms": 2.5}]


def test_nan_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="NaN"):
        dumps({"x": math.nan})


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        dumps({"x": object()})


def test_times_decimals_uuids_and_enums_are_written_as_pydantic_writes_them() -> None:
    import datetime
    import decimal
    import enum
    import uuid

    class Shift(enum.Enum):
        NIGHT = "night"

    stamp = datetime.datetime(2026, 11, 29, 23, 0, tzinfo=datetime.UTC)
    ident = uuid.UUID(int=7)
    value = {"at": stamp, "cost": decimal.Decimal("1.50"), "id": ident, "shift": Shift.NIGHT}
    assert to_jsonable(value) == {
        "at": "2026-11-29T23:00:00Z",
        "cost": "1.50",
        "id": str(ident),
        "shift": "night",
    }


def test_encoding_matches_the_standard_library_on_plain_json() -> None:
    value = {"rows": [{"a": 1.5, "b": "x", "c": [True, None, 3]}] * 50, "t": (1, 2)}
    import json

    assert dumps(value) == json.dumps(value, separators=(",", ":")).encode()


def test_inf_is_refused_inside_arrays_too() -> None:
    with pytest.raises(ValueError, match="NaN or infinity"):
        dumps({"x": np.array([1.0, np.inf])})
