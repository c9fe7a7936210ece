"""What the command line sends: inputs read from a JSON or CSV file (``-`` is
standard input) and ``key=value`` settings. Nothing here calls the service."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

__all__ = ["CommandError", "csv_inputs", "json_inputs", "settings"]


class CommandError(Exception):
    """A command cannot run as given: the message says what to change."""


def _text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"no file {source!r}")
    return path.read_text(encoding="utf-8-sig")


def json_inputs(source: str) -> list[object]:
    """A JSON list of inputs, ``{"inputs": [...]}``, one object, or JSON lines."""
    text = _text(source).strip()
    try:
        value: object = json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise CommandError(f"{source} is not JSON or JSON lines: {error}") from None
    if isinstance(value, dict) and isinstance(value.get("inputs"), list):
        return list(value["inputs"])
    return value if isinstance(value, list) else [value]


def _scalar(text: str) -> object:
    """A CSV cell as JSON would hold it: empty is missing, numbers and booleans
    are themselves, anything else is text."""
    if text == "":
        return None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def csv_inputs(source: str) -> list[object]:
    """One input per CSV row, keyed by the header."""
    reader = csv.DictReader(io.StringIO(_text(source)))
    if not reader.fieldnames:
        raise CommandError(f"{source} has no header row")
    return [{key: _scalar(value or "") for key, value in row.items()} for row in reader]


def settings(pairs: list[str], option: str) -> dict[str, object]:
    """``key=value`` pairs, each value read as JSON when it is (``3``, ``0.1``,
    ``true``, ``"text"``), else as text."""
    result: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"{option} takes key=value, not {pair!r}")
        try:
            result[key] = json.loads(value)
        except json.JSONDecodeError:
            result[key] = value
    return result
