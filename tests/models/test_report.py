"""The zoo's metric table, and the copy of it in the docs."""

from __future__ import annotations

from pathlib import Path

from aiaas_mock.zoo import report
from tests.helpers import SYSTEM_MODELS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def test_table_lists_every_model_and_metric() -> None:
    table = report.metrics_table()
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    assert [cells[0].strip() for cells in rows if cells[0].strip()] == SYSTEM_MODELS
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
