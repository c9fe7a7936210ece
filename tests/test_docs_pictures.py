"""The pictures in the docs: drawn by scripts in the repository, shown by the docs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_defect_cnn_picture_is_drawn_from_the_generator_and_the_card() -> None:
    script = runpy.run_path(str(ROOT / "docs" / "pictures" / "draw_defect_cnn.py"))
    counts = script["confusion_counts"]()
    assert counts.shape == (7, 7)
    assert counts.sum() == 1400  # the card's 200 held-out images a class
    picture = script["draw"]()
    assert picture.width > 1000
    assert picture.height > 600
    assert (ROOT / "docs" / "pictures" / "defect-cnn.png").is_file()
    assert "pictures/defect-cnn.png" in (ROOT / "docs" / "models.md").read_text()


def test_the_plots_picture_is_drawn_from_calls_to_a_mock(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    script = runpy.run_path(str(ROOT / "docs" / "pictures" / "draw_plots.py"))
    out = script["main"](tmp_path / "plots.png")
    assert out.stat().st_size > 20_000
    assert (ROOT / "docs" / "pictures" / "plots.png").is_file()
    assert "pictures/plots.png" in (ROOT / "docs" / "sdk.md").read_text()
