"""The files plants export: CSV dialects and encodings, Parquet, and tables out."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from aiaas_mock.datasets import csv_source
from aiaas_mock.datasets.dialect import CsvOptions
from aiaas_mock.datasets.export import stream_tables
from aiaas_mock.datasets.files import DatasetFiles, load_table
from aiaas_mock.datasets.ingest import BuiltDataset, MalformedDataset, UploadFile, build

EUROPEAN = (
    "Maschine;Drehzahl;Drehmoment;Prüfer;Ausschuss\n"
    "M-1;1.500;42,5;Jürgen;nein\n"
    "M-2;1.498;41,25;Zoë;ja\n"
    "M-3;1.502;;Øystein;nein\n"
)


def ingest(
    tmp_path: Path,
    data: bytes,
    fmt: str = "csv",
    options: CsvOptions | None = None,
    utf8: bool = True,
) -> BuiltDataset:
    upload = UploadFile(
        tmp_path / "upload.raw",
        10**9,
        text=fmt != "parquet",
        utf8=utf8,
        utf16_bom=fmt == "csv" and utf8,
    )
    for offset in range(0, len(data), 4093):
        upload.write(data[offset : offset + 4093])
    upload.finish()
    return build(tmp_path, upload.path, fmt, None, options)  # type: ignore[arg-type]


def rows(tmp_path: Path) -> list[dict[str, object]]:
    return list(DatasetFiles(tmp_path).iter_rows())


def test_a_semicolon_file_with_decimal_commas_in_latin1_is_read_as_written(
    tmp_path: Path,
) -> None:
    # Nothing said but the encoding: ';' and the decimal comma are told from the file.
    data = EUROPEAN.encode("latin-1")
    built = ingest(tmp_path, data, options=CsvOptions(encoding="latin-1"), utf8=False)
    types = {column.name: column.type for column in built.columns}
    # With decimal commas, a point groups thousands.
    assert types == {
        "Maschine": "string",
        "Drehzahl": "number",
        "Drehmoment": "number",
        "Prüfer": "string",
        "Ausschuss": "string",
    }
    read = rows(tmp_path)
    assert [row["Drehmoment"] for row in read] == [42.5, 41.25, None]
    assert [row["Drehzahl"] for row in read] == [1500.0, 1498.0, 1502.0]
    assert [row["Prüfer"] for row in read] == ["Jürgen", "Zoë", "Øystein"]


def test_a_latin1_file_sent_as_utf8_is_refused_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(MalformedDataset) as caught:
        ingest(tmp_path, EUROPEAN.encode("latin-1"))
    assert caught.value.code == "bad_encoding"
    assert caught.value.line == 1  # the header's "Prüfer"
    assert "encoding=latin-1" in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_utf16_with_its_mark_and_cp1252(tmp_path: Path, encoding: str) -> None:
    text = "part,price,note\nA,1.5,€ 3 — ok\nB,2.25,naïve\n"
    options = CsvOptions(encoding=None if encoding == "utf-16" else encoding)
    ingest(tmp_path, text.encode(encoding), options=options, utf8=encoding == "utf-16")
    assert rows(tmp_path) == [
        {"part": "A", "price": 1.5, "note": "€ 3 — ok"},
        {"part": "B", "price": 2.25, "note": "naïve"},
    ]


def test_tabs_pipes_no_header_and_null_texts(tmp_path: Path) -> None:
    data = b"1\t2.5\tn/a\n2\tNA\tok\n"
    options = CsvOptions(header=False, null_values=("", "NA", "n/a"))
    built = ingest(tmp_path, data, options=options)
    assert [column.name for column in built.columns] == ["column_1", "column_2", "column_3"]
    assert rows(tmp_path) == [
        {"column_1": 1, "column_2": 2.5, "column_3": None},
        {"column_1": 2, "column_2": None, "column_3": "ok"},
    ]
    pipes = tmp_path / "pipes"
    pipes.mkdir()
    ingest(pipes, b"a|b\n1|x\n")
    assert rows(pipes) == [{"a": 1, "b": "x"}]


def test_a_file_split_evenly_two_ways_asks_for_the_delimiter(tmp_path: Path) -> None:
    with pytest.raises(MalformedDataset) as caught:
        ingest(tmp_path, b"a|b\tc\n1|2\t3\n4|5\t6\n")
    assert caught.value.code == "ambiguous_dialect"
    assert "tab and '|'" in caught.value.message
    assert "delimiter=" in caught.value.message
    ingest(tmp_path, b"a|b\tc\n1|2\t3\n4|5\t6\n", options=CsvOptions(delimiter="\t"))
    assert rows(tmp_path)[0] == {"a|b": "1|2", "c": 3}


def test_a_type_that_widens_late_is_written_again(tmp_path: Path) -> None:
    # The first blocks read as integers; a decimal far down makes the column a
    # number, and the rows already written are written again as numbers.
    lines = ["n,k"] + [f"{i},{i % 3}" for i in range(200_000)] + ["2.5,1"]
    built = ingest(tmp_path, ("\n".join(lines) + "\n").encode())
    assert {c.name: c.type for c in built.columns} == {"n": "number", "k": "integer"}
    table = pq.read_table(DatasetFiles(tmp_path).rows_path)
    assert table.schema.field("n").type == pa.float64()
    assert table.column("n")[199_999].as_py() == 199_999.0
    assert built.columns[0].max == 199_999.0


def test_a_parquet_file_from_pandas_keeps_its_types_and_nan_is_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "machine": pd.Categorical(["M-1", "M-2", None]),
            "torque": [42.5, np.nan, 40.0],
            "cycles": pd.array([1, None, 3], dtype="Int64"),
            "failed": [True, False, True],
            "tags": [["a"], [], ["b", "c"]],
            "when": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "too_big": [1.0, math.inf, 2.0],
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    built = ingest(tmp_path, buffer.getvalue(), fmt="parquet")
    assert {c.name: c.type for c in built.columns} == {
        "machine": "string",
        "torque": "number",
        "cycles": "integer",
        "failed": "boolean",
        "tags": "json",
        "when": "string",
        "too_big": "string",  # an infinity is no number, as 1e400 in CSV
    }
    read = rows(tmp_path)
    assert [row["torque"] for row in read] == [42.5, None, 40.0]
    assert [row["cycles"] for row in read] == [1, None, 3]
    assert [row["tags"] for row in read] == [["a"], [], ["b", "c"]]
    assert read[2]["machine"] is None
    assert str(read[0]["when"]).startswith("2026-01-01")
    assert built.quality.rows_with_missing == 2
    torque = load_table(tmp_path, ["torque"]).columns["torque"]
    assert np.isnan(torque[1])
    assert torque[0] == 42.5


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("csv", b"a\n1e400\n"),
        ("jsonl", b'{"a": 1e400}\n'),
    ],
)
def test_1e400_is_text_in_every_format(tmp_path: Path, fmt: str, data: bytes) -> None:
    built = ingest(tmp_path, data, fmt=fmt)
    assert built.columns[0].type == "string"
    assert rows(tmp_path) == [{"a": "1e400"}]


def test_not_parquet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedDataset) as caught:
        ingest(tmp_path, b"a,b\n1,2\n", fmt="parquet")
    assert caught.value.code == "wrong_format"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_dataset_streams_out_as_it_was_typed(tmp_path: Path, fmt: str) -> None:
    note = '"x,y"'
    lines = ["part,torque,ok,note"] + [
        f"P{i},{i / 4},{'true' if i % 2 else 'false'},{'' if i % 5 else note}"
        for i in range(70_000)
    ]
    ingest(tmp_path, ("\n".join(lines) + "\n").encode())
    files = DatasetFiles(tmp_path)
    stored = pq.read_table(files.rows_path)
    chunks = list(stream_tables(stored.schema, files.slices(0), fmt))  # type: ignore[arg-type]
    assert len(chunks) > 2  # a row group at a time
    data = b"".join(chunks)
    if fmt == "parquet":
        back = pq.read_table(io.BytesIO(data))
    else:
        convert = pa_csv.ConvertOptions(
            column_types=stored.schema, strings_can_be_null=True
        )  # an empty cell is missing, as the ingest reads it
        back = pa_csv.read_csv(io.BytesIO(data), convert_options=convert)
    assert back.equals(stored)


def test_pieces_end_only_where_records_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Quoted newlines and doubled quotes everywhere, and pieces of 50 bytes: a
    # piece never ends inside a quoted field, whatever falls at its end.
    monkeypatch.setattr(csv_source, "PIECE_BYTES", 50)
    rng = np.random.default_rng(4)
    records = [
        [f"r{i}", 'say ""hi""\n' * int(rng.integers(0, 3)) + "x", str(i)] for i in range(300)
    ]
    text = "id,note,n\n" + "".join(f'{a},"{b}",{c}\n' for a, b, c in records)
    ingest(tmp_path, text.encode())
    expected = list(csv.reader(io.StringIO(text)))[1:]
    assert [[r["id"], r["note"], str(r["n"])] for r in rows(tmp_path)] == expected
