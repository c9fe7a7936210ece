"""Real maintenance work orders for evaluation: the MaintIE gold set.

MaintIE (Bikaun et al., LREC-COLING 2024, MIT licence) is not part of this
package and no model is trained on it. When a copy is at hand, the text models
report how they do on it: set ``AIAAS_MAINTIE_DIR`` to the folder holding
``gold_dev.json``, or keep it at ``../shared/data/maintie`` beside the
repository. Texts are rebuilt by joining MaintIE's tokens with spaces, so token
spans map to character spans exactly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..kit.text_spans import Span
from .work_orders import Relation, WorkOrder

_REPOSITORY = Path(__file__).resolve().parents[4]
_ROLES = {"hasParticipant/hasPatient": "patient", "hasParticipant/hasAgent": "agent"}


@dataclass(frozen=True)
class MaintieSet:
    name: str
    orders: list[WorkOrder]
    """Entities of the five top-level classes, nested ones included; patient and
    agent relations only."""


def maintie_dir() -> Path:
    configured = os.environ.get("AIAAS_MAINTIE_DIR")
    return Path(configured) if configured else _REPOSITORY.parent / "shared/data/maintie"


def load_maintie(name: str = "gold_dev") -> MaintieSet | None:
    """The labelled real work orders, or ``None`` when no copy is at hand."""
    path = maintie_dir() / f"{name}.json"
    if not path.is_file():
        return None
    records = json.loads(path.read_text(encoding="utf-8"))
    return MaintieSet(name, [_work_order(record) for record in records])


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


def outermost(entities: tuple[Span, ...]) -> set[Span]:
    """The spans not inside a longer one."""
    return {
        e
        for e in entities
        if not any(
            o.start <= e.start and e.end <= o.end and o.end - o.start > e.end - e.start
            for o in entities
        )
    }
