"""How the command line shows what comes back: aligned tables for people, JSON
(``--json``) for scripts. Nothing here calls the service."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from pydantic import BaseModel

__all__ = ["Printer"]

MAX_CELL = 48


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(item) for item in value]
    return value


class Printer:
    """Writes answers as JSON with ``as_json``, else as tables and ``key: value`` lines."""

    def __init__(self, as_json: bool, out: TextIO | None = None) -> None:
        self.as_json = as_json
        self.out = out or sys.stdout

    def json(self, value: object) -> None:
        self.out.write(json.dumps(_plain(value), indent=2, ensure_ascii=False) + "\n")

    def table(self, rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> None:
        """Rows as a table (``--json``: the rows as a JSON list)."""
        if self.as_json:
            self.json([dict(row) for row in rows])
            return
        cells = [[_cell(row.get(column)) for column in columns] for row in rows]
        widths = [
            max([len(column)] + [len(line[index]) for line in cells])
            for index, column in enumerate(columns)
        ]
        self._line([column.upper() for column in columns], widths)
        for line in cells:
            self._line(line, widths)
        if not rows:
            self.out.write("(none)\n")

    def record(self, value: BaseModel, fields: Sequence[str]) -> None:
        """One object: the named fields as ``key: value`` lines (``--json``: all of it)."""
        if self.as_json:
            self.json(value)
            return
        data = value.model_dump(mode="json")
        width = max(len(name) for name in fields)
        for name in fields:
            shown = data.get(name)
            if isinstance(shown, dict) and shown and name in ("metrics", "data", "references"):
                self.out.write(f"{name}:\n")
                for key, item in shown.items():
                    self.out.write(f"  {key}: {_cell(item)}\n")
            elif shown not in (None, {}, []):
                self.out.write(
                    f"{name:<{width}}  {_cell(shown) if name != 'description' else shown}\n"
                )

    def text(self, line: str) -> None:
        self.out.write(line + "\n")

    def _line(self, cells: Sequence[str], widths: Sequence[int]) -> None:
        self.out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        self.out.write("\n")
