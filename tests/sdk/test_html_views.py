"""Notebook views: cards, quality reports and training jobs as escaped HTML tables."""

from __future__ import annotations

from html.parser import HTMLParser

from aiaas.types import Model, QualityReport, TrainingJob


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parsed(html: str) -> _Cells:
    cells = _Cells()
    cells.feed(html)
    return cells


def test_a_model_card_shows_its_metrics_and_escapes_text() -> None:
    card = Model(
        id="line-3 <failures>", task="tabular-classification", algorithm="svm", version="1",
        owner="ten_1", created_at=0, description="<script>alert(1)</script>",
        metrics={"f1": 0.8123456, "roc_auc": 0.9},
    )  # fmt: skip
    html = card._repr_html_()
    cells = _parsed(html)
    assert "script" not in cells.tags
    assert "<script>alert(1)</script>" in cells.texts  # shown as text, never run
    assert "model line-3 <failures>" in cells.texts
    assert [t for t in cells.texts if t in {"f1", "0.8123", "roc_auc", "0.9"}] == [
        "f1",
        "0.8123",
        "roc_auc",
        "0.9",
    ]


def test_a_quality_report_shows_counts_target_and_warnings() -> None:
    report = QualityReport.model_validate(
        {
            "rows": 3000, "columns": 8, "duplicate_rows": 2, "rows_with_missing": 31,
            "constant_columns": [], "warnings": ["31 rows have a missing value"],
            "target": {
                "column": "failed", "kind": "classes", "counts": {"true": 90, "false": 2910},
            },
        }
    )  # fmt: skip
    cells = _parsed(report._repr_html_())
    assert "rows with a missing value" in cells.texts
    assert "31" in cells.texts
    assert "31 rows have a missing value" in cells.texts
    assert any("failed" in text and "2910" in text for text in cells.texts)


def test_a_training_job_shows_every_candidate_best_first() -> None:
    job = TrainingJob.model_validate(
        {
            "id": "tj_1", "dataset_id": "ds_1", "status": "succeeded", "progress": 1.0,
            "created_at": 0, "model": ["svm", "random-forest"],
            "candidates": [
                {"algorithm": "random-forest", "hyperparameters": {"n_estimators": 50},
                 "metrics": {"f1": 0.91}, "fold_metrics": []},
                {"algorithm": "svm", "hyperparameters": {"C": 1.0},
                 "metrics": {"f1": 0.84}, "fold_metrics": []},
            ],
            "result_model_id": "line-3-rf",
        }
    )  # fmt: skip
    cells = _parsed(job._repr_html_())
    order = [t for t in cells.texts if t in {"random-forest", "svm"}]
    assert order[-2:] == ["random-forest", "svm"]
    assert "0.91" in cells.texts
    assert "line-3-rf" in cells.texts
