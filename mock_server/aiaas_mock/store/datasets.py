"""Tenants' datasets: their records here, their rows in files (``datasets.files``)."""

from __future__ import annotations

from dataclasses import dataclass

from aiaas.types import Dataset

from .database import Database


@dataclass(frozen=True)
class DatasetPage:
    datasets: list[Dataset]
    last_seq: int | None
    has_more: bool


class DatasetInUse(Exception):
    """A queued or running job reads the dataset."""


class DatasetRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, dataset: Dataset, tenant_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO datasets (id, tenant_id, record) VALUES (?, ?, ?)",
                (dataset.id, tenant_id, dataset.model_dump_json()),
            )

    def get(self, dataset_id: str, tenant_id: str) -> Dataset | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT record FROM datasets WHERE id = ? AND tenant_id = ?",
                (dataset_id, tenant_id),
            ).fetchone()
        return Dataset.model_validate_json(row["record"]) if row else None

    def page(self, tenant_id: str, *, after_seq: int, limit: int) -> DatasetPage:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, record FROM datasets WHERE tenant_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (tenant_id, after_seq, limit + 1),
            ).fetchall()
        kept = rows[:limit]
        return DatasetPage(
            [Dataset.model_validate_json(row["record"]) for row in kept],
            kept[-1]["seq"] if kept else None,
            len(rows) > limit,
        )

    def delete(self, dataset_id: str, tenant_id: str) -> bool:
        """Forget the dataset; ``False`` if the tenant has none of that id.

        Raises :class:`DatasetInUse` while a queued or running job reads it.
        """
        with self._db.transaction() as conn:
            busy = conn.execute(
                "SELECT 1 FROM jobs WHERE dataset_id = ? AND status IN ('queued', 'running')",
                (dataset_id,),
            ).fetchone()
            exists = conn.execute(
                "SELECT 1 FROM datasets WHERE id = ? AND tenant_id = ?", (dataset_id, tenant_id)
            ).fetchone()
            if exists and busy:
                raise DatasetInUse(dataset_id)
            cursor = conn.execute(
                "DELETE FROM datasets WHERE id = ? AND tenant_id = ?", (dataset_id, tenant_id)
            )
        return cursor.rowcount == 1

    def ids(self) -> set[str]:
        with self._db.read() as conn:
            return {row["id"] for row in conn.execute("SELECT id FROM datasets")}
