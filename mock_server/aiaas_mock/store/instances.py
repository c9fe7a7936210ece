"""Server processes sharing one database: which are alive, by heartbeat.

A request's idempotency claim belongs to the process that runs it. A process
that stops cleanly leaves the table; one that is killed stops beating, and
after ``grace`` seconds its claims are free again, so a retry runs instead of
waiting out a lease.
"""

from __future__ import annotations

import time
import uuid

from .database import Database


class InstanceRegistry:
    def __init__(self, db: Database, grace: float) -> None:
        self._db = db
        self.grace = grace
        self.id = f"inst_{uuid.uuid4().hex[:16]}"
        """This process's (this app's) identity in the database."""

    def register(self) -> None:
        now = time.time()
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO instances (id, started_at, last_seen) VALUES (?, ?, ?)",
                (self.id, now, now),
            )

    def beat(self) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE instances SET last_seen = ? WHERE id = ?", (time.time(), self.id))

    def live(self) -> set[str]:
        """Ids of the instances that have beaten within the grace period."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id FROM instances WHERE last_seen > ?", (time.time() - self.grace,)
            ).fetchall()
        return {row["id"] for row in rows}

    def leave(self) -> None:
        """Forget this instance, and free the claims of requests it never finished."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM instances WHERE id = ?", (self.id,))
            conn.execute(
                "DELETE FROM idempotency WHERE owner = ? AND state = 'running'", (self.id,)
            )
