"""Real maintenance work orders: half of the MaintIE gold set.

MaintIE (Bikaun et al., LREC-COLING 2024, MIT licence) ships in
``real_data/maintie_gold_half.json`` (538 texts); the text models train on it
together with generated orders and are cross-validated on it. Texts are
rebuilt by joining MaintIE's tokens with spaces, so token spans map to
character spans exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..kit.text_spans import Span
from ..shipped_weights import REAL_DATA_DIR
from .work_orders import Relation, WorkOrder

MAINTIE_PATH = REAL_DATA_DIR / "maintie_gold_half.json"
_ROLES = {"hasParticipant/hasPatient": "patient", "hasParticipant/hasAgent": "agent"}


@dataclass(frozen=True)
class MaintieSet:
    name: str
    orders: list[WorkOrder]
    """Entities of the five top-level classes, nested ones included; patient and
    agent relations only."""


def load_maintie(path: Path = MAINTIE_PATH) -> MaintieSet:
    """The labelled real work orders of a MaintIE file, in file order."""
    records = json.loads(path.read_text(encoding="utf-8"))
    return MaintieSet(path.stem, [_work_order(record) for record in records])


def _work_order(record: dict[str, object]) -> WorkOrder:
    tokens: list[str] = record["tokens"]  # type: ignore[assignment]
    starts = []
    position = 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    entities = tuple(
        Span(
            starts[e["start"]],
            starts[e["end"] - 1] + len(tokens[e["end"] - 1]),
            e["type"].split("/")[0],
        )
        for e in record["entities"]  # type: ignore[attr-defined]
    )
    relations = tuple(
        Relation(r["head"], r["tail"], _ROLES[r["type"]])
        for r in record["relations"]  # type: ignore[attr-defined]
        if r["type"] in _ROLES
    )
    return WorkOrder(" ".join(tokens), entities, relations)


def outermost(entities: Iterable[Span]) -> set[Span]:
    """The spans not inside a longer one."""
    entities = tuple(entities)
    return {
        e
        for e in entities
        if not any(
            o.start <= e.start and e.end <= o.end and o.end - o.start > e.end - e.start
            for o in entities
        )
    }
