"""HTML views of cards, reports and jobs for notebooks (``_repr_html_``): small
tables, every value escaped, no scripts or styles a notebook would have to trust."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

__all__ = ["fields_table", "heading", "rows_table"]


def _value(value: object) -> str:
    if isinstance(value, float):
        return escape(f"{value:.4g}")
    if isinstance(value, Mapping):
        return ", ".join(f"{escape(str(k))}={_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(item) for item in value)
    return escape("" if value is None else str(value))


def heading(text: str) -> str:
    return f"<p><strong>{escape(text)}</strong></p>"


def fields_table(fields: Iterable[tuple[str, object]]) -> str:
    """One row per ``(name, value)``; empty values left out."""
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(name)}</th><td>{_value(value)}</td></tr>"
        for name, value in fields
        if value not in (None, "", [], {})
    )
    return f"<table>{body}</table>"


def rows_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_value(row.get(column))}</td>" for column in columns) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
