"""The model catalogue: system models and tenants' own, in insertion order."""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass

from aiaas.types import Model

from .database import Database


class ModelInUse(Exception):
    """A queued or running batch prediction uses the model."""


class ModelIdTaken(Exception):
    """Another model has the id asked for."""


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

    def delete(self, model_id: str, tenant_id: str) -> bool:
        """Forget one of the tenant's models and its artifact; ``False`` if the tenant
        has no model of that id (system models are nobody's to delete).

        Raises :class:`ModelInUse` while a queued or running batch prediction uses it.
        """
        with self._db.transaction() as conn:
            if not self._owned(conn, model_id, tenant_id):
                return False
            self._check_unused(conn, model_id, tenant_id)
            conn.execute("DELETE FROM model_artifacts WHERE model_id = ?", (model_id,))
            conn.execute("DELETE FROM models WHERE id = ?", (model_id,))
        return True

    def rename(self, model_id: str, new_id: str, tenant_id: str) -> Model | None:
        """The tenant's model under ``new_id`` (its place in the list kept); ``None``
        if the tenant has no model ``model_id``.

        Raises :class:`ModelIdTaken` if any model has ``new_id``, and
        :class:`ModelInUse` while a queued or running batch prediction uses it.
        """
        with self._db.transaction() as conn:
            row = self._owned(conn, model_id, tenant_id)
            if row is None:
                return None
            if new_id == model_id:
                return _card(row["card"]).model_copy()
            if conn.execute("SELECT 1 FROM models WHERE id = ?", (new_id,)).fetchone():
                raise ModelIdTaken(new_id)
            self._check_unused(conn, model_id, tenant_id)
            card = _card(row["card"]).model_copy(update={"id": new_id})
            conn.execute(
                "UPDATE models SET id = ?, card = ? WHERE id = ?",
                (new_id, card.model_dump_json(), model_id),
            )
            conn.execute(
                "UPDATE model_artifacts SET model_id = ? WHERE model_id = ?", (new_id, model_id)
            )
        return card

    @staticmethod
    def _owned(conn: sqlite3.Connection, model_id: str, tenant_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT card FROM models WHERE id = ? AND tenant_id = ?", (model_id, tenant_id)
        ).fetchone()
        return row

    @staticmethod
    def _check_unused(conn: sqlite3.Connection, model_id: str, tenant_id: str) -> None:
        busy = conn.execute(
            "SELECT 1 FROM jobs WHERE tenant_id = ? AND kind = 'batch_prediction' "
            "AND status IN ('queued', 'running') AND json_extract(record, '$.model') = ?",
            (tenant_id, model_id),
        ).fetchone()
        if busy:
            raise ModelInUse(model_id)

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

    def visible_ids(self, tenant_id: str, limit: int = 10_000) -> list[str]:
        """The ids of the models the tenant may see (a system model or its own)."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id FROM models WHERE tenant_id IS NULL OR tenant_id = ? "
                "ORDER BY seq LIMIT ?",
                (tenant_id, limit),
            ).fetchall()
        return [row["id"] for row in rows]

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
