"""The model catalogue: system models and tenants' own, in insertion order."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from aiaas.types import Model

from .database import Database


@dataclass(frozen=True)
class ModelPage:
    cards: list[Model]
    last_seq: int | None
    has_more: bool


@functools.lru_cache(maxsize=1024)
def _card(text: str) -> Model:
    # Cards are read on every call and change rarely: parse each stored text once.
    # Keyed by the text itself, so a replaced card is never served stale.
    return Model.model_validate_json(text)


class ModelRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, card: Model, tenant_id: str | None = None) -> None:
        """Add a card, or replace the same owner's card of that id keeping its place.

        Raises ``ValueError`` if the id belongs to another owner.
        """
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO models (id, tenant_id, task, card) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET task = excluded.task, card = excluded.card "
                "WHERE models.tenant_id IS excluded.tenant_id",
                (card.id, tenant_id, card.task, card.model_dump_json()),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"model id {card.id!r} belongs to another owner")

    def add_trained(self, card: Model, tenant_id: str, kind: str, artifact: bytes) -> None:
        """A tenant's trained model: its card and what serves it, in one transaction."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO models (id, tenant_id, task, card) VALUES (?, ?, ?, ?)",
                (card.id, tenant_id, card.task, card.model_dump_json()),
            )
            conn.execute(
                "INSERT INTO model_artifacts (model_id, kind, artifact) VALUES (?, ?, ?)",
                (card.id, kind, artifact),
            )

    def artifact(self, model_id: str) -> tuple[str, bytes] | None:
        """How a trained model is served (its kind) and its artifact."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT kind, artifact FROM model_artifacts WHERE model_id = ?", (model_id,)
            ).fetchone()
        return (row["kind"], bytes(row["artifact"])) if row else None

    def get(self, model_id: str, tenant_id: str) -> Model | None:
        """The card if the tenant may see it: a system model or one of its own."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT card FROM models WHERE id = ? AND (tenant_id IS NULL OR tenant_id = ?)",
                (model_id, tenant_id),
            ).fetchone()
        return _card(row["card"]).model_copy() if row else None

    def page(self, tenant_id: str, *, after_seq: int, limit: int, task: str | None) -> ModelPage:
        """Up to ``limit`` visible cards after position ``after_seq``, oldest first.

        Positions only grow, so a walk over pages sees every card that existed when
        it began exactly once, however many are added meanwhile.
        """
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, card FROM models "
                "WHERE seq > ? AND (tenant_id IS NULL OR tenant_id = ?) "
                "AND (? IS NULL OR task = ?) ORDER BY seq LIMIT ?",
                (after_seq, tenant_id, task, task, limit + 1),
            ).fetchall()
        kept = rows[:limit]
        return ModelPage(
            cards=[_card(row["card"]).model_copy() for row in kept],
            last_seq=kept[-1]["seq"] if kept else None,
            has_more=len(rows) > limit,
        )
