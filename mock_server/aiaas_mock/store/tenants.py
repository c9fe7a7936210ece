"""Tenants and their API keys; keys are kept only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from aiaas import Secret

from .database import Database

API_KEY_PREFIX = "aiaas_sk_"
ALL_SCOPES = frozenset({"models:read", "inference", "datasets:read", "datasets:write", "training"})


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str


@dataclass(frozen=True)
class IssuedKey:
    """A new API key; ``secret`` is shown this once and never stored."""

    id: str
    tenant_id: str
    secret: Secret
    scopes: frozenset[str]


@dataclass(frozen=True)
class KeyRecord:
    id: str
    tenant_id: str
    scopes: frozenset[str]
    revoked: bool


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes as a set; unknown ones are a ``ValueError``."""
    scope_set = frozenset(scopes)
    unknown = scope_set - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    return scope_set


def hash_secret(secret: str) -> bytes:
    # Keys carry 256 random bits, so a fast hash is enough; no password stretching.
    return hashlib.sha256(secret.encode("utf-8")).digest()


class TenantRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def find(self, id_or_name: str) -> Tenant | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT id, name FROM tenants WHERE id = ? OR name = ?", (id_or_name, id_or_name)
            ).fetchone()
        return Tenant(row["id"], row["name"]) if row else None

    def all(self) -> list[Tenant]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT id, name FROM tenants ORDER BY created_at").fetchall()
        return [Tenant(row["id"], row["name"]) for row in rows]

    def create(self, name: str) -> Tenant:
        """A new tenant; ``ValueError`` if the name is taken."""
        tenant = Tenant(id=f"ten_{uuid.uuid4().hex[:16]}", name=name)
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                    (tenant.id, tenant.name, time.time()),
                )
        except sqlite3.IntegrityError:
            raise ValueError(f"a tenant named {name!r} exists") from None
        return tenant

    def get_or_create(self, name: str) -> Tenant:
        return self.find(name) or self.create(name)

    def issue_key(self, tenant_id: str, scopes: Iterable[str] = ALL_SCOPES) -> IssuedKey:
        scope_set = check_scopes(scopes)
        secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = IssuedKey(f"key_{uuid.uuid4().hex[:16]}", tenant_id, Secret(secret), scope_set)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO api_keys (id, tenant_id, secret_hash, prefix, scopes, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.id,
                    tenant_id,
                    hash_secret(secret),
                    secret[:13],
                    " ".join(sorted(scope_set)),
                    time.time(),
                ),
            )
        return key

    def find_key(self, secret: str) -> KeyRecord | None:
        """The key with this secret, revoked or not; ``None`` if there is none."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT id, tenant_id, scopes, revoked_at FROM api_keys WHERE secret_hash = ?",
                (hash_secret(secret),),
            ).fetchone()
        if row is None:
            return None
        return KeyRecord(
            id=row["id"],
            tenant_id=row["tenant_id"],
            scopes=frozenset(row["scopes"].split()),
            revoked=row["revoked_at"] is not None,
        )

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key at once; ``False`` if no such key is active."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (time.time(), key_id),
            )
        return cursor.rowcount == 1
