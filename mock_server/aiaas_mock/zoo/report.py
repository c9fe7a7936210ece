"""Print every zoo model's held-out metrics as a Markdown table:
``python -m aiaas_mock.zoo.report``.

``--write FILE`` puts the table between the ``<!-- zoo-metrics:start -->`` and
``<!-- zoo-metrics:end -->`` lines of FILE (the docs use it); ``--check FILE``
exits non-zero when FILE's table is out of date: a model, metric or value that
differs by more than :data:`TOLERANCE`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .model_spec import card
from .registry import SYSTEM_MODELS

START = "<!-- zoo-metrics:start -->"
END = "<!-- zoo-metrics:end -->"
TOLERANCE = 0.005
"""How far a documented value may be from the measured one. Models trained at
start-up are measured again on every machine, and BLAS kernels (AVX2 or
AVX-512) sum floats in another order: a threshold or cluster can flip for one
held-out row, which moves an F1 or accuracy by about 0.002. A change to a model
or its data moves its metrics by far more."""


def metrics_table(data_seed: int = 0) -> str:
    """One row per (model, metric), models in catalogue order."""
    lines = ["| model | task | metric | held-out value |", "|---|---|---|---|"]
    for entry in SYSTEM_MODELS:
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
    _section(document)
    head, _, rest = document.partition(START)
    tail = rest.partition(END)[2]
    return f"{head}{START}\n{table}{END}{tail}"


def _values(table: str) -> dict[tuple[str, str], str]:
    values: dict[tuple[str, str], str] = {}
    model = ""
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4:
            raise ValueError(f"not a row of the metrics table: {line!r}")
        model = cells[0] or model
        values[(model, cells[2])] = cells[3]
    return values


def _section(document: str) -> str:
    _, start, rest = document.partition(START)
    table, end, _ = rest.partition(END)
    if not start or not end:
        raise ValueError(f"no {START} ... {END} section")
    return table


def differences(document: str, table: str) -> list[str]:
    """Where ``document``'s marked table disagrees with ``table``, beyond :data:`TOLERANCE`."""
    documented, measured = _values(_section(document)), _values(table)
    found = [f"{m} {k}: not measured" for m, k in documented.keys() - measured.keys()]
    found += [f"{m} {k}: not documented" for m, k in measured.keys() - documented.keys()]
    for key in documented.keys() & measured.keys():
        old, new = float(documented[key]), float(measured[key])
        if abs(old - new) > TOLERANCE * max(1.0, abs(new)):
            found.append(f"{key[0]} {key[1]}: documented {old}, measured {new}")
    return sorted(found)


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
        stale = differences(args.check.read_text(), table)
        if stale:
            print(f"{args.check}: the metrics table is out of date; run with --write")
            print("\n".join(f"  {line}" for line in stale))
            return 1
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
