"""DataFrames in and out through the SDK and the mock: uploads from pandas,
polars and Arrow, CSV as plants export it, predictions from DataFrames, and
datasets and batch results back as tables."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import aiaas
from aiaas._frames import require
from tests.contract.conftest import LiveTenant
from tests.helpers import resolve

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

QUALITY_FIELDS = [
    "product_type",
    "air_temperature",
    "process_temperature",
    "rotational_speed",
    "torque",
    "tool_wear",
]


def process_runs(rows: int) -> Any:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "run_id": [f"R{i:04d}" for i in range(rows)],  # not a model input
            "product_type": pd.Categorical(rng.choice(["L", "M", "H"], rows)),
            "air_temperature": rng.normal(300, 2, rows).round(1),
            "process_temperature": rng.normal(310, 1.5, rows).round(1),
            "rotational_speed": rng.integers(1200, 2800, rows),
            "torque": rng.normal(40, 10, rows).round(1),
            "tool_wear": rng.integers(0, 250, rows),
        }
    )


async def test_a_pandas_dataframe_goes_up_as_parquet_and_comes_back(live: LiveTenant) -> None:
    client = live.client()
    frame = process_runs(300)
    frame.loc[3, "torque"] = np.nan  # pandas' missing value
    sent: list[tuple[int, int | None]] = []
    dataset = await resolve(
        client.datasets.create(
            file=frame, name="runs", on_progress=lambda done, total: sent.append((done, total))
        )
    )
    assert dataset.format == "parquet"
    assert dataset.rows == 300
    types = {column.name: column.type for column in dataset.columns}
    assert types["torque"] == "number"
    assert types["rotational_speed"] == "integer"
    assert types["product_type"] == "string"
    assert {c.name: c.missing for c in dataset.columns}["torque"] == 1
    assert sent[0][0] == 0
    assert sent[-1][0] == sent[-1][1]  # every byte, of a known total
    back = (await resolve(client.datasets.content(dataset.id))).to_pandas()
    assert list(back.columns) == list(frame.columns)
    assert math.isnan(back.loc[3, "torque"])
    assert back["torque"].drop(3).tolist() == frame["torque"].drop(3).tolist()
    assert back["product_type"].tolist() == frame["product_type"].astype(str).tolist()
    as_csv = await resolve(client.datasets.content(dataset.id, format="csv"))
    assert as_csv.content.startswith(b'"run_id","product_type"')
    assert as_csv.to_arrow().num_rows == 300


async def test_polars_and_arrow_tables_upload_too(live: LiveTenant, tmp_path: Path) -> None:
    client = live.client()
    frame = pl.DataFrame({"machine": ["M-1", None, "M-3"], "load": [0.5, 0.75, None]})
    dataset = await resolve(client.datasets.create(file=frame, name="polars"))
    back = (await resolve(client.datasets.content(dataset.id))).to_polars()
    assert back.to_dicts() == frame.to_dicts()
    table = pa.table({"ok": [True, False], "count": pa.array([1, 2], pa.int32())})
    dataset = await resolve(client.datasets.create(file=table, name="arrow"))
    assert {c.name: c.type for c in dataset.columns} == {"ok": "boolean", "count": "integer"}
    written = await resolve(client.datasets.download(dataset.id, tmp_path / "arrow.csv"))
    assert written.read_text().splitlines() == ['"ok","count"', "true,1", "false,2"]


async def test_records_with_nan_are_missing_values(live: LiveTenant) -> None:
    client = live.client()
    records = process_runs(20).to_dict("records")
    records[4]["torque"] = float("nan")
    records[5]["tool_wear"] = np.int64(7)  # numpy scalars as numbers, not text
    dataset = await resolve(client.datasets.create(file=records, name="records"))
    columns = {column.name: column for column in dataset.columns}
    assert columns["torque"].missing == 1
    assert columns["tool_wear"].type == "integer"


async def test_a_semicolon_latin1_export_with_decimal_commas(live: LiveTenant) -> None:
    client = live.client()
    text = "Zeit;Maschine;Temperatur\n08:00;Presse Nr. 1;21,5\n08:05;Presse Nr. 2;-\n"
    data = text.replace("Nr.", "Nº").encode("latin-1")
    dataset = await resolve(
        client.datasets.create(
            file=data, name="export", format="csv", encoding="latin-1", null_values=["-"]
        )
    )
    assert {c.name: c.type for c in dataset.columns}["Temperatur"] == "number"
    rows = (await resolve(client.datasets.content(dataset.id))).to_pandas()
    assert rows["Maschine"].tolist() == ["Presse Nº 1", "Presse Nº 2"]
    assert rows["Temperatur"].iloc[0] == 21.5
    assert math.isnan(rows["Temperatur"].iloc[1])


async def test_an_undecidable_dialect_says_which_option_to_pass(live: LiveTenant) -> None:
    client = live.client()
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(client.datasets.create(file=b"a|b\tc\n1|2\t3\n", name="x", format="csv"))
    assert caught.value.code == "ambiguous_dialect"
    assert "delimiter=" in str(caught.value)
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(
            client.datasets.create(file=[{"a": 1}], name="x", format="jsonl", delimiter=";")
        )
    assert caught.value.code == "invalid_option"


async def test_predictions_from_a_dataframe_and_a_series(live: LiveTenant) -> None:
    client = live.client()
    frame = process_runs(5)[QUALITY_FIELDS]
    prediction = await resolve(client.models.predict("quality-logreg", inputs=frame))
    assert len(prediction.outputs) == 5
    one = await resolve(client.models.predict("quality-logreg", inputs=frame.iloc[2]))
    assert one.outputs[0] == prediction.outputs[2]  # the Series keeps its names
    polars_rows = await resolve(
        client.models.predict("quality-logreg", inputs=pl.from_pandas(frame))
    )
    assert polars_rows.outputs == prediction.outputs


async def test_batch_results_as_a_dataframe_and_a_file(live: LiveTenant, tmp_path: Path) -> None:
    client = live.client()
    frame = process_runs(120)
    frame.loc[frame.index % 10 == 0, "torque"] = np.nan  # those rows fail
    dataset = await resolve(client.datasets.create(file=frame, name="runs"))
    batch = await resolve(
        client.batch_predictions.create(model="quality-logreg", dataset_id=dataset.id)
    )
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=60, poll_interval=0.2))
    results = (await resolve(client.batch_predictions.results_content(batch.id))).to_pandas()
    assert results["index"].tolist() == list(range(120))
    failed = results["error.code"].notna()
    assert failed.tolist() == (frame.index % 10 == 0).tolist()
    assert set(results.loc[~failed, "output.prediction"]) <= {"pass", "fail"}
    joined = frame.join(results.set_index("index"))
    assert joined.loc[1, "output.prediction"] == results.loc[1, "output.prediction"]
    path = await resolve(client.batch_predictions.download_results(batch.id, tmp_path / "r.csv"))
    assert pd.read_csv(path)["index"].tolist() == list(range(120))


async def test_tables_come_back_sealed_when_encryption_is_required(live: LiveTenant) -> None:
    client = live.client(encryption="required")
    dataset = await resolve(client.datasets.create(file=process_runs(30), name="sealed"))
    back = (await resolve(client.datasets.content(dataset.id))).to_pandas()
    assert len(back) == 30


def test_import_aiaas_imports_no_table_library() -> None:
    code = (
        "import sys, aiaas, aiaas.types, aiaas.resources; "
        "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "aiaas\[polars\]"'):
        require("polars")
    table = aiaas.TableFile(b"a\n1\n", "csv")
    with pytest.raises(ImportError, match=r"aiaas\[polars\]"):
        table.to_polars()
