"""The SQLite database behind the mock server: one writer at a time, readers
that never wait for it."""

from __future__ import annotations

import fcntl
import os
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
CREATE TABLE IF NOT EXISTS tenant_quotas (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    quotas TEXT NOT NULL
);
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
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (state, created_at);
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
CREATE TABLE IF NOT EXISTS datasets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS datasets_by_tenant ON datasets (tenant_id, seq);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('training', 'batch_prediction')),
    dataset_id TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    owner TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant_id, kind, seq);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE TABLE IF NOT EXISTS job_events (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batch_results (
    job_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (job_id, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS model_artifacts (
    model_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    artifact BLOB NOT NULL
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
    """A SQLite database shared by the server's threads (and, for a file, by
    other server processes).

    Writes go through :meth:`transaction`, one at a time in this process (SQLite
    allows one writer anyway). A file database runs in WAL mode, where readers
    never wait for the writer: :meth:`read` gives each thread its own read-only
    connection, so lookups on the hot path (credentials, cards) take no lock. An
    in-memory database has a single connection, so its reads take the lock.

    ``synchronous = NORMAL`` in WAL mode makes a commit durable against a crash of
    the server process (``kill -9``) but not of the machine; fsync per commit
    would cost more than a light request's whole model.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._closed = False
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._shared = path == ":memory:"
        # Opened once, beside the database; closed with it.
        self._write_lock = (
            None if self._shared else os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600)
        )
        if not self._shared:
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(SCHEMA)
        self._migrate()
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not the write lock: readers never wait for it

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _migrate(self) -> None:
        """Bring a database file made by an earlier version up to this schema."""
        columns = {row["name"] for row in self._conn.execute("PRAGMA table_info(idempotency)")}
        if "owner" not in columns:
            self._conn.execute("ALTER TABLE idempotency ADD COLUMN owner TEXT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction, committed unless an error escapes."""
        with self._lock, self._writers_of_the_file():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _writers_of_the_file(self) -> Iterator[None]:
        """Writers of other processes on this file wait here, in turn.

        SQLite's own wait for a locked database polls, sleeping 1 to 100 ms between
        tries, which costs tens of milliseconds a write when server processes share
        a file; a blocked ``flock`` wakes as soon as the holder lets go.
        """
        if self._write_lock is None:
            yield
            return
        fcntl.flock(self._write_lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._write_lock, fcntl.LOCK_UN)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading, in autocommit mode: each statement sees one
        committed state. Use :meth:`transaction` for reads that must agree with a
        write."""
        if self._shared:
            with self._lock:
                yield self._conn
            return
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            with self._readers_lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
                conn = self._connect()
                conn.execute("PRAGMA query_only = ON")
                self._reader_connections.append(conn)
            self._readers.conn = conn
        yield conn

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
        with self._lock, self._readers_lock:
            if self._closed:
                return
            self._closed = True
            self._conn.close()
            if self._write_lock is not None:
                os.close(self._write_lock)
                self._write_lock = None
            for conn in self._reader_connections:
                conn.close()
            self._reader_connections.clear()
