"""OAuth clients and the access tokens they obtain; secrets kept only as hashes."""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from aiaas import Secret

from .database import Database
from .tenants import ALL_SCOPES, check_scopes, hash_secret

CLIENT_SECRET_PREFIX = "aiaas_cs_"  # noqa: S105 (a prefix, not a secret)
ACCESS_TOKEN_PREFIX = "aiaas_at_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True)
class IssuedClient:
    """A new OAuth client; ``secret`` is shown this once and never stored."""

    id: str
    tenant_id: str
    secret: Secret
    scopes: frozenset[str]


@dataclass(frozen=True)
class ClientRecord:
    id: str
    tenant_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class IssuedToken:
    value: Secret
    scopes: frozenset[str]
    expires_in: int


@dataclass(frozen=True)
class TokenRecord:
    client_id: str
    tenant_id: str
    scopes: frozenset[str]
    expired: bool
    revoked: bool = False
    """Its client has been revoked: the token was genuine once, and is dead now."""


class OAuthRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create_client(self, tenant_id: str, scopes: Iterable[str] = ALL_SCOPES) -> IssuedClient:
        scope_set = check_scopes(scopes)
        secret = CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)
        client = IssuedClient(f"cli_{uuid.uuid4().hex[:16]}", tenant_id, Secret(secret), scope_set)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO oauth_clients (id, tenant_id, secret_hash, scopes, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    client.id,
                    tenant_id,
                    hash_secret(secret),
                    " ".join(sorted(scope_set)),
                    time.time(),
                ),
            )
        return client

    def authenticate_client(self, client_id: str, secret: str) -> ClientRecord | None:
        """The active client with this id and secret; ``None`` for any mismatch."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT tenant_id, secret_hash, scopes FROM oauth_clients "
                "WHERE id = ? AND revoked_at IS NULL",
                (client_id,),
            ).fetchone()
        # Compare even when there is no such client, so timing tells nothing.
        expected = bytes(row["secret_hash"]) if row else hash_secret("")
        if not hmac.compare_digest(expected, hash_secret(secret)) or row is None:
            return None
        return ClientRecord(client_id, row["tenant_id"], frozenset(row["scopes"].split()))

    def revoke_client(self, client_id: str) -> bool:
        """Revoke a client and, with it, every token it holds."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE oauth_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (time.time(), client_id),
            )
        return cursor.rowcount == 1

    def issue_token(
        self, client: ClientRecord, scopes: frozenset[str], lifetime: int
    ) -> IssuedToken:
        value = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO access_tokens (token_hash, client_id, scopes, issued_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (hash_secret(value), client.id, " ".join(sorted(scopes)), now, now + lifetime),
            )
            conn.execute("DELETE FROM access_tokens WHERE expires_at < ?", (now - 86400,))
        return IssuedToken(Secret(value), scopes, lifetime)

    def find_token(self, value: str) -> TokenRecord | None:
        """The token with this value, expired ones and those of revoked clients included."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT t.client_id, c.tenant_id, t.scopes, t.expires_at, c.revoked_at "
                "FROM access_tokens t JOIN oauth_clients c ON c.id = t.client_id "
                "WHERE t.token_hash = ?",
                (hash_secret(value),),
            ).fetchone()
        if row is None:
            return None
        return TokenRecord(
            client_id=row["client_id"],
            tenant_id=row["tenant_id"],
            scopes=frozenset(row["scopes"].split()),
            expired=row["expires_at"] <= time.time(),
            revoked=row["revoked_at"] is not None,
        )

    def expire_tokens(self, client_id: str) -> int:
        """End every token of a client now (as if their lifetime had run out)."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE access_tokens SET expires_at = ? WHERE client_id = ? AND expires_at > ?",
                (time.time(), client_id, time.time()),
            )
        return cursor.rowcount

    def tokens_issued(self, client_id: str) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) AS n FROM access_tokens WHERE client_id = ?", (client_id,)
            ).fetchone()
        return int(row["n"])
