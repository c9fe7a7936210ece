"""The log of predictions served: one row per call, for usage and audit."""

from __future__ import annotations

import time

from .database import Database


class PredictionLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, prediction_id: str, tenant_id: str, model_id: str, inputs: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO predictions (id, tenant_id, model_id, inputs, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (prediction_id, tenant_id, model_id, inputs, time.time()),
            )

    def count(self, tenant_id: str) -> int:
        """How many predict calls the tenant has made."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT COUNT(*) AS n FROM predictions WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
        return int(row["n"])
