"""Per-tenant settings."""

from __future__ import annotations

from .database import Database


class TenantSettings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def requires_encryption(self, tenant_id: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT require_encryption FROM tenant_settings WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
        return bool(row and row["require_encryption"])

    def set_requires_encryption(self, tenant_id: str, required: bool) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO tenant_settings (tenant_id, require_encryption) VALUES (?, ?) "
                "ON CONFLICT (tenant_id) DO UPDATE "
                "SET require_encryption = excluded.require_encryption",
                (tenant_id, int(required)),
            )
