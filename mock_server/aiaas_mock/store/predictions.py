"""The log of predictions served: one row per call, for usage and audit."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from .database import Database


class PredictionLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def write(
        prediction_id: str, tenant_id: str, model_id: str, inputs: int
    ) -> Callable[[sqlite3.Connection], None]:
        """The row's insert, to run in whichever transaction commits the call's answer."""
        created_at = time.time()

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO predictions (id, tenant_id, model_id, inputs, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (prediction_id, tenant_id, model_id, inputs, created_at),
            )

        return insert

    def count(self, tenant_id: str) -> int:
        """How many predict calls the tenant has made."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT COUNT(*) AS n FROM predictions WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
        return int(row["n"])
