"""Print every zoo model's held-out metrics as a Markdown table:
``python -m aiaas_mock.zoo.report``.

``--write FILE`` puts the table between the ``<!-- zoo-metrics:start -->`` and
``<!-- zoo-metrics:end -->`` lines of FILE (the docs use it); ``--check FILE``
exits non-zero when FILE's table is out of date.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .base import card
from .catalogue import system_entries

START = "<!-- zoo-metrics:start -->"
END = "<!-- zoo-metrics:end -->"


def metrics_table(data_seed: int = 0) -> str:
    """One row per (model, metric), models in catalogue order."""
    lines = ["| model | task | metric | held-out value |", "|---|---|---|---|"]
    for entry in system_entries():
        model = card(entry.spec, entry.metrics(data_seed))
        for i, (name, value) in enumerate(sorted(model.metrics.items())):
            first = i == 0
            lines.append(
                f"| {model.id if first else ''} | {model.task if first else ''} "
                f"| {name} | {_format(value)} |"
            )
    return "\n".join(lines) + "\n"


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def with_table(document: str, table: str) -> str:
    """``document`` with its marked table replaced by ``table``."""
    head, start, rest = document.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"no {START} ... {END} section")
    return f"{head}{START}\n{table}{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiaas_mock.zoo.report", description=__doc__)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, metavar="FILE")
    action.add_argument("--check", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    table = metrics_table()
    if args.write:
        args.write.write_text(with_table(args.write.read_text(), table))
    elif args.check:
        current = args.check.read_text()
        if with_table(current, table) != current:
            print(f"{args.check}: the metrics table is out of date; run with --write")
            return 1
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
