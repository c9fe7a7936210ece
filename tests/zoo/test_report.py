"""The zoo's metric table, and the copy of it in the docs."""

from __future__ import annotations

from pathlib import Path

from aiaas_mock.zoo import report
from aiaas_mock.zoo.registry import system_model_ids

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def test_table_lists_every_model_and_metric() -> None:
    table = report.metrics_table()
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    assert [cells[0].strip() for cells in rows if cells[0].strip()] == system_model_ids()
    assert any("unseen_vocabulary_f1" in cells[2] for cells in rows)


def test_docs_carry_the_current_table() -> None:
    assert report.main(["--check", str(DOCS)]) == 0, "run python -m aiaas_mock.zoo.report --write"


def test_write_replaces_only_the_marked_section(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"intro\n{report.START}\nstale table\n{report.END}\noutro\n")
    assert report.main(["--write", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("intro\n")
    assert text.endswith(f"{report.END}\noutro\n")
    assert "stale table" not in text
    assert report.main(["--check", str(page)]) == 0


def test_check_tolerates_machine_noise_but_not_a_changed_model(tmp_path: Path) -> None:
    table = report.metrics_table()
    page = tmp_path / "page.md"
    row = "| quality-logreg | tabular-classification | f1 | "
    assert row in table
    value = float(table.split(row)[1].split(" |")[0])
    for shifted, current in ((value + report.TOLERANCE / 2, True), (value + 0.02, False)):
        page.write_text(_page(table.replace(f"{row}{value}", f"{row}{shifted}")))
        assert (report.main(["--check", str(page)]) == 0) is current
    page.write_text(_page(table.replace("| f1 |", "| f1_renamed |", 1)))
    assert report.main(["--check", str(page)]) == 1


def _page(table: str) -> str:
    return f"{report.START}\n{table}{report.END}\n"
