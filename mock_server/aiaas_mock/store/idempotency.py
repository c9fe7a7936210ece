"""Stored answers to idempotent requests, per tenant and key."""

from __future__ import annotations

import time
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


class IdempotencyRepository:
    def __init__(self, db: Database, *, ttl: float, lease: float) -> None:
        self._db = db
        self._ttl = ttl
        self._lease = lease

    def claim(self, tenant_id: str, key: str, fingerprint: bytes) -> Claim:
        """Take the key for a new request, or say why not.

        Records older than the TTL are forgotten; a running record older than the
        lease is taken over, since its request will not finish.
        """
        now = time.time()
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT fingerprint, state, status, media_type, body, created_at "
                "FROM idempotency WHERE tenant_id = ? AND key = ?",
                (tenant_id, key),
            ).fetchone()
            if row is not None:
                age = now - row["created_at"]
                expired = age > self._ttl or (row["state"] == "running" and age > self._lease)
                if not expired:
                    if bytes(row["fingerprint"]) != fingerprint:
                        return Mismatch()
                    if row["state"] == "running":
                        return InProgress()
                    return StoredResponse(row["status"], row["media_type"], bytes(row["body"]))
            conn.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(tenant_id, key, fingerprint, state, created_at) VALUES (?, ?, ?, 'running', ?)",
                (tenant_id, key, fingerprint, now),
            )
        return Claimed()

    def finish(self, tenant_id: str, key: str, response: StoredResponse) -> None:
        with self._db.transaction() as conn:
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
