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
        self, db: Database, *, ttl: float, lease: float, owner: str = "", grace: float = 5.0
    ) -> None:
        self._db = db
        self._ttl = ttl
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
