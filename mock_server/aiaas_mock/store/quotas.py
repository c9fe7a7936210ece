"""Per-tenant quotas set by the administrator, and what each tenant uses now."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..config import TenantQuotas
from .database import Database


class QuotaRepository:
    def __init__(self, db: Database, default: TenantQuotas) -> None:
        self._db = db
        self.default = default

    def of(self, tenant_id: str) -> TenantQuotas:
        """The tenant's quotas: the server's default, with what was set for it."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT quotas FROM tenant_quotas WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
        if row is None:
            return self.default
        return dataclasses.replace(self.default, **json.loads(row["quotas"]))

    def set(self, tenant_id: str, **values: int) -> TenantQuotas:
        """Set some of the tenant's quotas (others keep following the default)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT quotas FROM tenant_quotas WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
            stored: dict[str, Any] = json.loads(row["quotas"]) if row else {}
            stored.update(values)
            dataclasses.replace(self.default, **stored)  # refuses unknown or negative ones
            conn.execute(
                "INSERT INTO tenant_quotas (tenant_id, quotas) VALUES (?, ?) "
                "ON CONFLICT (tenant_id) DO UPDATE SET quotas = excluded.quotas",
                (tenant_id, json.dumps(stored)),
            )
        return self.of(tenant_id)

    def usage(self, tenant_id: str) -> dict[str, int]:
        """What the tenant holds and runs now, by quota name."""
        with self._db.read() as conn:
            datasets = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(json_extract(record, '$.bytes')), 0) "
                "FROM datasets WHERE tenant_id = ?",
                (tenant_id,),
            ).fetchone()
            jobs = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(status = 'running'), 0) FROM jobs "
                "WHERE tenant_id = ? AND status IN ('queued', 'running')",
                (tenant_id,),
            ).fetchone()
        return {
            "stored_bytes": int(datasets[1]),
            "datasets": int(datasets[0]),
            "jobs": int(jobs[0]),
            "running_jobs": int(jobs[1]),
        }
