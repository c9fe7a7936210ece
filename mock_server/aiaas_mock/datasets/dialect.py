"""How a CSV file is written: its delimiter, decimal mark, encoding, header and
the texts that mean "missing" — as the upload says, or told from the file.

Plants export CSV from historians and spreadsheets set up for their country:
``;`` between fields and ``,`` in numbers in much of Europe, latin-1 or cp1252
text, UTF-16 from some Windows tools. What the upload does not say is decided
from the file's first lines; where that cannot be decided, the 422 says what
was seen and which option settles it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .errors import MalformedDataset

DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "latin-1", "cp1252", "utf-16")
DEFAULT_NULLS = ("",)
SNIFF_BYTES = 64 * 1024
"""Bytes of the file's start read to tell its dialect."""
SNIFF_LINES = 50
_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")


@dataclass(frozen=True)
class CsvOptions:
    """A CSV upload's dialect; ``None`` for what is to be told from the file."""

    delimiter: str | None = None
    decimal: Literal[".", ","] | None = None
    encoding: str | None = None
    header: bool = True
    null_values: tuple[str, ...] = DEFAULT_NULLS

    def settled(self, path: Path) -> CsvOptions:
        """These options with the encoding, delimiter and decimal mark decided."""
        encoding = self.encoding or _bom_encoding(path) or "utf-8"
        sample = _sample_lines(path, encoding)
        delimiter = self.delimiter or sniff_delimiter(sample)
        decimal = self.decimal or sniff_decimal(sample, delimiter, self.header)
        return replace(self, encoding=encoding, delimiter=delimiter, decimal=decimal)

    @property
    def python_encoding(self) -> str:
        # "utf-8-sig" drops a byte-order mark; "utf-16" reads its own.
        return "utf-8-sig" if self.encoding in (None, "utf-8") else self.encoding


def check_options(delimiter: str | None, encoding: str | None) -> None:
    """Refuse an option no reader would take (a 422 naming it)."""
    if delimiter is not None and delimiter not in DELIMITERS:
        raise MalformedDataset(
            "invalid_option",
            f"delimiter must be one of , ; | or a tab (\\t), not {delimiter!r}.",
            column="delimiter",
        )
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            name = ""
        if name not in {codecs.lookup(known).name for known in ENCODINGS}:
            raise MalformedDataset(
                "invalid_option",
                f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}.",
                column="encoding",
            )


def normal_encoding(encoding: str | None) -> str | None:
    """The encoding's canonical name (``latin1`` and ``iso-8859-1`` are ``latin-1``)."""
    if encoding is None:
        return None
    name = codecs.lookup(encoding).name
    return next(known for known in ENCODINGS if codecs.lookup(known).name == name)


def _bom_encoding(path: Path) -> str | None:
    with path.open("rb") as file:
        start = file.read(2)
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else None


def _sample_lines(path: Path, encoding: str) -> list[str]:
    """The first whole lines of the file (at most ``SNIFF_BYTES`` of it)."""
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
        more = bool(file.read(1))
    text = head.decode(python_encoding, errors="replace")
    lines = text.splitlines()
    if more and len(lines) > 1:
        lines = lines[:-1]  # cut short by the sample
    return [line for line in lines if line.strip()][:SNIFF_LINES]


def _widths(lines: list[str], delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    try:
        return [len(record) for record in reader if record]
    except csv.Error:
        return []


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first line into more than one field and most
    sampled lines into as many (a ragged line is for the parser to name); ``,``
    for a file of one column."""
    agreeing: dict[str, int] = {}
    for delimiter in DELIMITERS:
        widths = _widths(lines, delimiter)
        if widths and widths[0] > 1:
            agree = sum(1 for width in widths if width == widths[0])
            if agree * 2 > len(widths):
                agreeing[delimiter] = agree
    if not agreeing:
        seen = _seen(lines)
        if not seen:
            return ","  # one column: no delimiter at all
        raise MalformedDataset(
            "ambiguous_dialect",
            f"Line 1 to line {len(lines)} hold {seen}, but none of these splits them into "
            "the same number of fields: say which delimiter separates fields "
            "(delimiter=, ; | or \\t), or check the file's quoting.",
            line=1,
        )
    best = max(agreeing.values())
    choices = [delimiter for delimiter, agree in agreeing.items() if agree == best]
    if set(choices) == {",", ";"}:
        return ";"  # numbers with decimal commas split by ',' too
    if len(choices) == 1:
        return choices[0]
    names = " and ".join(_NAMES[d] for d in choices)
    raise MalformedDataset(
        "ambiguous_dialect",
        f"Line 1 to line {len(lines)} split evenly by {names} alike: say which separates "
        "fields with delimiter=.",
        line=1,
    )


def _seen(lines: list[str]) -> str:
    counts = Counter(ch for line in lines for ch in line if ch in DELIMITERS)
    return ", ".join(f"{_NAMES[d]} ({n} times)" for d, n in counts.most_common())


def sniff_decimal(lines: list[str], delimiter: str, header: bool) -> Literal[".", ","]:
    """``,`` when fields are not comma-separated and the sampled numbers are
    written with decimal commas (and none with a decimal point: ``1.500`` may
    group thousands)."""
    if delimiter == ",":
        return "."
    reader = csv.reader(io.StringIO("\n".join(lines[1 if header else 0 :])), delimiter=delimiter)
    comma = dot = 0
    try:
        for record in reader:
            for cell in record:
                cell = cell.strip()
                comma += bool(_COMMA_NUMBER.match(cell))
                dot += bool(_DOT_NUMBER.match(cell)) and not _THOUSANDS.match(cell)
    except csv.Error:
        return "."
    return "," if comma and not dot else "."
