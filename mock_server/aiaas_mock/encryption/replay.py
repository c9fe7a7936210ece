"""Remembers the encapsulations of sealed requests, so none is accepted twice."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable

from ..store.database import Database


class ReplayGuard:
    """An encapsulation is remembered for as long as its request could still be
    accepted (the timestamp window on either side), in the database, so a restart
    within the window does not open the door to replays.
    """

    def __init__(self, db: Database, window: float, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._window = window
        self._clock = clock

    def first_use(self, encapsulation: bytes) -> bool:
        """Remember ``encapsulation``; ``False`` if it was seen within the window."""
        now = self._clock()
        digest = hashlib.sha256(encapsulation).digest()
        try:
            with self._db.transaction() as conn:
                conn.execute("DELETE FROM seen_encapsulations WHERE expires_at < ?", (now,))
                conn.execute(
                    "INSERT INTO seen_encapsulations (digest, expires_at) VALUES (?, ?)",
                    (digest, now + 2 * self._window),
                )
        except sqlite3.IntegrityError:
            return False
        return True
