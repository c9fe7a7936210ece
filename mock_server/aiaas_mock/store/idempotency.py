"""Stored answers to idempotent requests, per tenant and key.

A claim names the server instance running its request (see :mod:`.instances`);
a claim of an instance that stopped beating is taken over at once. The
request's own writes (its prediction log row) commit in the same transaction
as its stored answer: a key either replays its answer or runs again, never
both.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True)
class StoredResponse:
    status: int
    media_type: str | None
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """The caller holds the key and must call ``finish`` or ``release``."""


@dataclass(frozen=True)
class InProgress:
    """Another request with this key is still running."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used before with a different request."""


Claim = StoredResponse | Claimed | InProgress | Mismatch
Write = Callable[[sqlite3.Connection], None]
"""A write a request makes, run inside the transaction that stores its answer."""


class IdempotencyRepository:
    def __init__(
        self,
        db: Database,
        *,
        ttl: float,
        lease: float,
        owner: str = "",
        grace: float = 5.0,
        max_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._max_bytes = max_bytes
        self._lease = lease
        self._owner = owner
        self._grace = grace

    def claim(self, tenant_id: str, key: str, fingerprint: bytes) -> Claim:
        """Take the key for a new request, or say why not.

        Records older than the TTL are forgotten; a running record is taken over
        when the instance that claimed it has stopped beating, or, as a last
        resort, when it is older than the lease.
        """
        now = time.time()
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT i.fingerprint, i.state, i.status, i.media_type, i.body, i.created_at, "
                "i.owner, s.last_seen FROM idempotency i "
                "LEFT JOIN instances s ON s.id = i.owner "
                "WHERE i.tenant_id = ? AND i.key = ?",
                (tenant_id, key),
            ).fetchone()
            if row is not None:
                age = now - row["created_at"]
                abandoned = row["state"] == "running" and (
                    age > self._lease
                    or (
                        row["owner"] is not None
                        and (row["last_seen"] is None or now - row["last_seen"] > self._grace)
                    )
                )
                if not (age > self._ttl or abandoned):
                    if bytes(row["fingerprint"]) != fingerprint:
                        return Mismatch()
                    if row["state"] == "running":
                        return InProgress()
                    return StoredResponse(row["status"], row["media_type"], bytes(row["body"]))
            conn.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(tenant_id, key, fingerprint, state, created_at, owner) "
                "VALUES (?, ?, ?, 'running', ?, ?)",
                (tenant_id, key, fingerprint, now, self._owner or None),
            )
        return Claimed()

    def finish(
        self, tenant_id: str, key: str, response: StoredResponse, writes: Sequence[Write] = ()
    ) -> None:
        """Store the answer, and commit the request's own writes with it."""
        with self._db.transaction() as conn:
            for write in writes:
                write(conn)
            conn.execute(
                "UPDATE idempotency SET state = 'done', status = ?, media_type = ?, body = ? "
                "WHERE tenant_id = ? AND key = ?",
                (response.status, response.media_type, response.body, tenant_id, key),
            )

    def release(self, tenant_id: str, key: str) -> None:
        """Forget a claimed key whose request failed, so it may be sent again."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency WHERE tenant_id = ? AND key = ? AND state = 'running'",
                (tenant_id, key),
            )

    def expire(self, now: float | None = None) -> int:
        """Forget answers older than the retention, then the oldest answers beyond
        the byte budget; how many were forgotten. Running claims are kept."""
        now = time.time() if now is None else now
        with self._db.transaction() as conn:
            old = conn.execute(
                "DELETE FROM idempotency WHERE state = 'done' AND created_at < ?",
                (now - self._ttl,),
            ).rowcount
            over = conn.execute(
                "DELETE FROM idempotency WHERE rowid IN ("
                " SELECT rowid FROM ("
                "  SELECT rowid, SUM(LENGTH(body)) OVER ("
                "   ORDER BY created_at DESC, rowid DESC) AS newer_bytes"
                "  FROM idempotency WHERE state = 'done')"
                " WHERE newer_bytes > ?)",
                (self._max_bytes,),
            ).rowcount
        return int(old) + int(over)

    def stored_bytes(self) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(LENGTH(body)), 0) AS n FROM idempotency"
            ).fetchone()
        return int(row["n"])
