"""Reading uploads into datasets: schema, quality report, malformed files."""

from __future__ import annotations

import base64
import csv
import io
import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aiaas_mock.datasets.files import DatasetFiles, load_table
from aiaas_mock.datasets.ingest import (
    BLOCK_ROWS,
    BuiltDataset,
    DatasetTooLarge,
    MalformedDataset,
    UploadFile,
    build,
    rows_per_block,
)
from aiaas_mock.datasets.limits import MAX_CELL_CHARS
from aiaas_mock.datasets.profile import OUTLIER_Z, Reservoir
from tests.tables import machining_runs, write_wide_rows


def ingest(
    tmp_path: Path, data: bytes, fmt: str = "csv", target: str | None = None, chunk: int = 7919
) -> BuiltDataset:
    upload = UploadFile(tmp_path / "upload.raw", max_bytes=10**9)
    for offset in range(0, len(data), chunk):  # odd chunks split lines and characters
        upload.write(data[offset : offset + chunk])
    upload.finish()
    return build(tmp_path, upload.path, fmt, target)  # type: ignore[arg-type]


def refused(tmp_path: Path, data: bytes, fmt: str = "csv") -> MalformedDataset:
    with pytest.raises(MalformedDataset) as caught:
        ingest(tmp_path, data, fmt)
    return caught.value


def test_the_schema_and_report_of_a_plant_table(tmp_path: Path) -> None:
    data = machining_runs(rows=600)
    built = ingest(tmp_path, data, target="failed")
    columns = {column.name: column for column in built.columns}
    assert [c.name for c in built.columns] == [
        "part", "machine", "speed", "torque", "tool_wear", "site", "energy_kwh", "failed",
    ]  # fmt: skip
    assert {name: c.type for name, c in columns.items()} == {
        "part": "string",
        "machine": "string",
        "speed": "number",
        "torque": "number",
        "tool_wear": "integer",
        "site": "string",
        "energy_kwh": "number",
        "failed": "boolean",
    }
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert built.rows == len(rows) == 600
    torque = np.array([float(r["torque"]) for r in rows if r["torque"]])
    assert columns["torque"].missing == 600 - len(torque) == 12
    assert columns["torque"].mean == pytest.approx(torque.mean())
    assert columns["torque"].std == pytest.approx(torque.std(ddof=1))
    assert (columns["torque"].min, columns["torque"].max) == (torque.min(), torque.max())
    assert columns["torque"].median == pytest.approx(np.median(torque))
    mad = np.median(np.abs(torque - np.median(torque))) * 1.4826
    expected_outliers = int((np.abs(torque - np.median(torque)) / mad > OUTLIER_Z).sum())
    assert columns["torque"].outliers == expected_outliers
    assert built.quality.constant_columns == ["site"]
    assert columns["site"].constant
    assert built.quality.rows_with_missing == 12
    assert built.quality.duplicate_rows == 0
    balance = built.quality.target
    assert balance is not None
    assert balance.kind == "classes"
    failures = sum(r["failed"] == "true" for r in rows)
    assert balance.counts == {"false": 600 - failures, "true": failures}
    assert balance.minority_share == pytest.approx(failures / 600, abs=1e-6)
    assert any("single value" in warning for warning in built.quality.warnings)
    # Twelve rows of 600 with a gap: too few for a column's own warning, said still.
    (gaps,) = [w for w in built.quality.warnings if "miss a value" in w]
    assert gaps.startswith("12 rows (2.0%) miss a value (in '")


def test_a_report_over_many_blocks_counts_every_row(tmp_path: Path) -> None:
    """Rows are read in blocks of BLOCK_ROWS: the report must add up every block,
    not keep the last one's counts."""
    rows_count = 2 * BLOCK_ROWS + 123
    data = machining_runs(rows=rows_count, seed=5)
    built = ingest(tmp_path, data, target="failed")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    failures = sum(r["failed"] == "true" for r in rows)
    assert built.rows == rows_count
    assert built.quality.target is not None
    assert built.quality.target.counts == {"false": rows_count - failures, "true": failures}
    machine = next(c for c in built.columns if c.name == "machine")
    expected = {name: sum(r["machine"] == name for r in rows) for name in ("A", "B", "C")}
    assert machine.top_values == expected
    torque = next(c for c in built.columns if c.name == "torque")
    assert torque.missing == sum(r["torque"] == "" for r in rows)
    values = np.array([float(r["torque"]) for r in rows if r["torque"]])
    assert torque.mean == pytest.approx(values.mean())


def test_duplicates_and_outliers_are_counted(tmp_path: Path) -> None:
    lines = ["a,b"] + [f"{i % 10},{10 + i % 3}" for i in range(200)] + ["1,1000"]
    built = ingest(tmp_path, ("\n".join(lines) + "\n").encode())
    # 30 distinct (a, b) pairs among the first 200 rows; the last row is new.
    assert built.quality.duplicate_rows == 200 - 30
    b = next(c for c in built.columns if c.name == "b")
    assert b.outliers == 1
    a = next(c for c in built.columns if c.name == "a")
    assert a.top_values == {str(v): 20 for v in range(10)} | {"1": 21}


def test_rows_are_typed_and_pages_read_from_any_row(tmp_path: Path) -> None:
    data = machining_runs(rows=3000)
    ingest(tmp_path, data)
    files = DatasetFiles(tmp_path)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    for start in (0, 1023, 1024, 2999):
        page = files.read_rows(start, 5)
        assert len(page) == min(5, 3000 - start)
        assert page[0]["speed"] == float(rows[start]["speed"])
        assert page[0]["failed"] is (rows[start]["failed"] == "true")
        assert page[0]["tool_wear"] == int(rows[start]["tool_wear"])
    assert files.read_rows(3000, 5) == []
    table = load_table(tmp_path, ["torque", "machine"])
    assert np.isnan(table.columns["torque"][7])
    assert table.columns["machine"][0] == rows[0]["machine"]


def test_json_lines_with_nested_values_and_images(tmp_path: Path) -> None:
    def png(size: tuple[int, int], mode: str) -> str:
        buffer = io.BytesIO()
        Image.new(mode, size).save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode()

    records = [
        {"image": png((64, 48), "L"), "label": "scratch", "window": [1, 2, 3]},
        {"image": png((128, 128), "RGB"), "label": "none", "meta": {"line": 3}},
        {"image": png((32, 32), "L"), "label": None, "window": [4.5]},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    built = ingest(tmp_path, data, fmt="jsonl", target="label")
    columns = {c.name: c for c in built.columns}
    assert columns["image"].type == "image"
    image = columns["image"].image
    assert image is not None
    assert (image.min_width, image.max_width, image.min_height, image.max_height) == (
        32, 128, 32, 128,
    )  # fmt: skip
    assert image.modes == {"L": 2, "RGB": 1}
    assert columns["window"].type == "json"
    assert columns["window"].missing == 1
    assert columns["meta"].missing == 2
    assert columns["label"].missing == 1
    assert built.quality.target is not None
    assert built.quality.target.counts == {"scratch": 1, "none": 1}


@pytest.mark.parametrize(
    ("data", "code", "line", "column"),
    [
        (b"a,b,c\n1,2,3\n4,5\n", "malformed_dataset", 3, "c"),
        (b"a,b\n1,2\n3,4,5\n", "malformed_dataset", 3, "3"),
        (b"a,b\n1,2\n\xff\xfe,3\n", "bad_encoding", 3, None),
        (b"", "empty_dataset", None, None),
        (b"a,b\n", "empty_dataset", None, None),
        (b"a;b;c\n1;2\n3;4\n", "ambiguous_dialect", 1, None),
        (b'{"a": 1}\n{"a": 2}\n', "wrong_format", 1, None),
        (b"a,a\n1,2\n", "malformed_dataset", 1, "a"),
        (b"a,,c\n1,2,3\n", "malformed_dataset", 1, "2"),
        (b"a,b\n1,2\n\x00\x01\x02\n", "wrong_format", 3, None),
        (b'a,b\n1,"2\n', "malformed_dataset", 2, None),
    ],
)
def test_malformed_csv_names_the_line_and_column(
    tmp_path: Path, data: bytes, code: str, line: int | None, column: str | None
) -> None:
    error = refused(tmp_path, data)
    assert (error.code, error.line, error.column) == (code, line, column)
    if line is not None:
        assert f"Line {line}" in error.message


@pytest.mark.parametrize(
    ("data", "code", "line", "column"),
    [
        (b'{"a": 1}\n{"a": 2,\n', "malformed_dataset", 2, "9"),
        (b'{"a": 1}\n[1, 2]\n', "malformed_dataset", 2, None),
        (b"a,b\n1,2\n", "wrong_format", 1, "1"),
        (b'{"a": NaN}\n', "malformed_dataset", 1, None),
        (b"\n\n", "empty_dataset", None, None),
        # Each once a 500 from the ingest worker.
        (b'{"a": "x"}\n{"a": "\\ud800"}\n', "bad_encoding", 2, None),
        (b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}\n", "malformed_dataset", 1, None),
    ],
)
def test_malformed_json_lines_name_the_line_and_column(
    tmp_path: Path, data: bytes, code: str, line: int | None, column: str | None
) -> None:
    error = refused(tmp_path, data, "jsonl")
    assert (error.code, error.line, error.column) == (code, line, column)


def test_an_unknown_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedDataset) as caught:
        ingest(tmp_path, b"a,b\n1,2\n", target="c")
    assert caught.value.code == "unknown_target"


def test_the_size_limit_stops_the_upload_where_it_is_reached(tmp_path: Path) -> None:
    upload = UploadFile(tmp_path / "upload.raw", max_bytes=100)
    upload.write(b"a,b\n" + b"1,2\n" * 20)
    with pytest.raises(DatasetTooLarge) as caught:
        upload.write(b"3,4\n" * 10)
    # 84 bytes (21 lines) were in; the next 16 fit (lines 22 to 25); line 26 crosses.
    assert caught.value.line == 26
    upload.close()


def test_a_reservoir_is_a_uniform_sample() -> None:
    reservoir = Reservoir(size=1000, seed=1)
    for start in range(0, 100_000, 777):
        reservoir.offer(list(range(start, min(start + 777, 100_000))))
    sample = np.array(reservoir.values)
    assert len(sample) == 1000
    assert reservoir.seen == 100_000
    # Deciles of a uniform sample of 1,000 from 0..99,999 lie within a few percent.
    deciles = np.percentile(sample, np.arange(10, 100, 10))
    assert np.allclose(deciles, np.arange(10_000, 100_000, 10_000), atol=4000)


@pytest.mark.parametrize("chunk", [3, 1000, 10**6])
def test_a_line_over_the_limit_is_refused_naming_it(tmp_path: Path, chunk: int) -> None:
    lines = [b"a,b", b"1," + b"x" * 98, b"2," + b"y" * 99, b"3,z"]  # 100 and 101 bytes
    data = b"\n".join(lines) + b"\n"
    upload = UploadFile(tmp_path / "upload.raw", max_bytes=10**9, max_line_bytes=100)

    def write_all() -> None:
        for offset in range(0, len(data), chunk):
            upload.write(data[offset : offset + chunk])

    with pytest.raises(MalformedDataset) as caught:
        write_all()
    assert caught.value.code == "line_too_long"
    assert caught.value.line == 3
    assert "Line 3 is longer than 100 bytes" in caught.value.message


def test_a_last_line_without_a_newline_is_measured_too(tmp_path: Path) -> None:
    upload = UploadFile(tmp_path / "upload.raw", max_bytes=10**9, max_line_bytes=10)
    upload.write(b"a\n1\n" + b"9" * 6)
    with pytest.raises(MalformedDataset, match="Line 3"):
        upload.write(b"9" * 6)


def test_wide_rows_are_read_a_few_at_a_time_in_bounded_memory(tmp_path: Path) -> None:
    # 40 rows of 8 texts of 130,000 characters (42 MB): read in blocks of
    # BLOCK_ROWS, the ingest held every row, a sample of every text and a
    # thousand distinct texts a column (1.25 GB for the 250 MB file).
    path = tmp_path / "upload.raw"
    write_wide_rows(path, 40)
    directory = tmp_path / "ds"
    directory.mkdir()
    assert rows_per_block(path) == 8
    tracemalloc.start()
    try:
        built = build(directory, path, "csv", None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert built.rows == 40
    assert peak < 40 * 1024 * 1024, f"{peak / 2**20:.0f} MB"
    assert all(column.type == "string" and column.missing == 0 for column in built.columns)


@pytest.mark.parametrize(
    ("cell", "kind", "stored"),
    [
        ("1e400", "string", "1e400"),  # past a float's range: the text it was
        ("-1e400", "string", "-1e400"),
        ("100000000000000000000000", "number", 1e23),  # past 64 bits: a float
        ("9223372036854775807", "integer", 9223372036854775807),
    ],
)
def test_a_number_is_the_same_in_csv_and_json_lines(
    tmp_path: Path, cell: str, kind: str, stored: object
) -> None:
    read = {}
    for fmt, data in (
        ("csv", f"a,b\n{cell},1\n".encode()),
        ("jsonl", f'{{"a": {cell}, "b": 1}}\n'.encode()),
    ):
        directory = tmp_path / fmt
        directory.mkdir()
        built = ingest(directory, data, fmt)
        table = load_table(directory)
        read[fmt] = (built.columns[0].type, built.columns[0].missing, table.columns["a"][0])
    assert read["csv"] == read["jsonl"] == (kind, 0, stored)


def test_a_second_byte_order_mark_is_no_part_of_a_name(tmp_path: Path) -> None:
    built = ingest(tmp_path, "\ufeff\ufeffa,b\n1,2\n".encode())
    assert [column.name for column in built.columns] == ["a", "b"]


@pytest.mark.parametrize(("filled", "most"), [(0.0, 0.01), (0.02, 0.5), (0.6, 2.0)])
def test_storage_grows_with_content_not_with_empty_cells(
    tmp_path: Path, filled: float, most: float
) -> None:
    # 1,000 columns, 500 rows, most cells empty: an empty cell costs Parquet a
    # bit of a definition level, nothing like a stored ``null``. Each column
    # chunk has a fixed cost of its metadata (about 130 bytes).
    rng = np.random.default_rng(1)
    grid = np.where(rng.random((500, 1000)) < filled, rng.integers(1, 99, (500, 1000)), -1)
    text = "\n".join(
        ",".join("" if value < 0 else str(value) for value in row) for row in grid.tolist()
    )
    data = (",".join(f"c{i}" for i in range(1000)) + "\n" + text + "\n").encode()
    built = ingest(tmp_path, data)
    stored = DatasetFiles(tmp_path).rows_path.stat().st_size
    assert stored <= most * len(data) + 150 * 1000, (stored, len(data))
    assert built.quality.rows_with_missing == int((grid < 0).any(axis=1).sum())
    files = DatasetFiles(tmp_path)
    for number, row in enumerate(files.iter_rows(0, 500)):
        expected = [None if value < 0 else value for value in grid[number].tolist()]
        assert list(row.values()) == expected


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_cell_over_the_limit_is_refused_alike_in_both_formats(tmp_path: Path, fmt: str) -> None:
    long = "x" * (MAX_CELL_CHARS + 1)
    data = f"a,b\n1,ok\n2,{long}\n" if fmt == "csv" else f'{{"a": 1}}\n{{"a": 2, "b": "{long}"}}\n'
    error = refused(tmp_path, data.encode(), fmt)
    assert error.code == "cell_too_long"
    assert error.line == 3 if fmt == "csv" else error.line == 2
    assert f"{MAX_CELL_CHARS:,} characters" in error.message
    at_the_limit = tmp_path / "at-the-limit"
    at_the_limit.mkdir()
    exactly = "x" * MAX_CELL_CHARS
    fine = f"a,b\n1,{exactly}\n" if fmt == "csv" else f'{{"a": 1, "b": "{exactly}"}}\n'
    assert ingest(at_the_limit, fine.encode(), fmt).rows == 1
