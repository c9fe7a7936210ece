"""The SQLite database behind the mock server: one connection, serialised access."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    secret_hash BLOB NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS oauth_clients (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    secret_hash BLOB NOT NULL,
    scopes TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash BLOB PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients(id),
    scopes TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_by_client ON access_tokens (client_id);
CREATE TABLE IF NOT EXISTS tenant_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    require_encryption INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS encryption_keys (
    kid TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_encapsulations (
    digest BLOB PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_encapsulations_by_expiry ON seen_encapsulations (expires_at);
CREATE TABLE IF NOT EXISTS models (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants(id),
    task TEXT NOT NULL,
    card TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS models_by_task ON models (task, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status INTEGER,
    media_type TEXT,
    body BLOB,
    created_at REAL NOT NULL,
    owner TEXT,
    PRIMARY KEY (tenant_id, key)
);
CREATE TABLE IF NOT EXISTS auth_failures (
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_failures_by_address ON auth_failures (address, at);
CREATE INDEX IF NOT EXISTS auth_failures_by_time ON auth_failures (at);
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY,
    started_at REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS predictions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    model_id TEXT NOT NULL,
    inputs INTEGER NOT NULL,
    created_at REAL NOT NULL
);
"""


class Database:
    """A SQLite database shared by the server's threads.

    All access goes through :meth:`transaction`, which holds a lock: SQLite allows
    one writer anyway, and the mock's statements are short.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._closed = False
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA busy_timeout = 5000")
        self._conn.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a database file made by an earlier version up to this schema."""
        columns = {row["name"] for row in self._conn.execute("PRAGMA table_info(idempotency)")}
        if "owner" not in columns:
            self._conn.execute("ALTER TABLE idempotency ADD COLUMN owner TEXT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction, committed unless an error escapes."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def setting_secret(self, name: str, size: int = 32) -> bytes:
        """A random secret kept in the database, made on first use."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return bytes(row["value"])
            value = secrets.token_bytes(size)
            conn.execute("INSERT INTO settings (name, value) VALUES (?, ?)", (name, value))
            return value

    def replace_setting(self, name: str, value: bytes) -> bytes | None:
        """Set a setting; its previous value, if it had one."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            conn.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        return bytes(row["value"]) if row is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()
