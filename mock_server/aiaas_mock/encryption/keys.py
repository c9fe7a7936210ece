"""The server's HPKE key pairs: one current key per suite, rotated with an overlap."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiaas.envelope import SUITES, KeyPair

from ..store.database import Database


@dataclass(frozen=True)
class ServerKey:
    kid: str
    pair: KeyPair
    created_at: float
    expires_at: float


class KeyStore:
    """Keys kept in the database, so they survive restarts of a server with a file.

    Each suite always has a current key. A key is replaced once less than
    ``overlap`` seconds of its life remain; until it expires, requests sealed to it
    are still accepted, so clients holding the old key list keep working.
    """

    def __init__(
        self,
        db: Database,
        *,
        lifetime: float,
        overlap: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._lifetime = lifetime
        self._overlap = overlap
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: list[ServerKey] | None = None

    def active(self) -> list[ServerKey]:
        """Keys not yet expired, newest first; makes a successor where one is due."""
        with self._lock:
            keys = self._cache if self._cache is not None else self._load()
            now = self._clock()
            if any(key.expires_at <= now for key in keys) or self._due(keys, now):
                keys = self._rotate_due(now)
            self._cache = keys
            return keys

    def get(self, kid: str) -> ServerKey | None:
        """The active key with this id, if any."""
        return next((key for key in self.active() if key.kid == kid), None)

    def rotate(self, overlap: float | None = None) -> list[ServerKey]:
        """Give every suite a new key now; the old ones stay usable for ``overlap``
        seconds (the configured overlap by default; 0 retires them at once).
        """
        with self._lock:
            now = self._clock()
            keep = self._overlap if overlap is None else overlap
            with self._db.transaction() as conn:
                conn.execute(
                    "UPDATE encryption_keys SET expires_at = MIN(expires_at, ?) "
                    "WHERE expires_at > ?",
                    (now + keep, now),
                )
            self._cache = None
            keys = self._rotate_due(now, force=True)
            self._cache = keys
            return keys

    def _due(self, keys: list[ServerKey], now: float) -> bool:
        for name in SUITES:
            newest = max((k.expires_at for k in keys if k.pair.suite.name == name), default=0.0)
            if newest - now < self._overlap:
                return True
        return False

    def _rotate_due(self, now: float, force: bool = False) -> list[ServerKey]:
        keys = self._load()
        for name, spec in SUITES.items():
            newest = max((k.expires_at for k in keys if k.pair.suite.name == name), default=0.0)
            if force or newest - now < self._overlap:
                pair = spec.generate()
                with self._db.transaction() as conn:
                    conn.execute(
                        "INSERT INTO encryption_keys (kid, suite, private_key, created_at, "
                        "expires_at) VALUES (?, ?, ?, ?, ?)",
                        (
                            f"k_{secrets.token_hex(8)}",
                            name,
                            pair.private_bytes,
                            now,
                            now + self._lifetime,
                        ),
                    )
        return self._load()

    def _load(self) -> list[ServerKey]:
        now = self._clock()
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT kid, suite, private_key, created_at, expires_at FROM encryption_keys "
                "WHERE expires_at > ? ORDER BY created_at DESC",
                (now,),
            ).fetchall()
        return [
            ServerKey(
                kid=row["kid"],
                pair=KeyPair(SUITES[row["suite"]], bytes(row["private_key"])),
                created_at=row["created_at"],
                expires_at=row["expires_at"],
            )
            for row in rows
            if row["suite"] in SUITES
        ]
