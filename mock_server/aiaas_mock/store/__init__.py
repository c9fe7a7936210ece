"""Storage of the mock server: SQLite behind one small repository per resource."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ServerConfig
from .database import Database
from .idempotency import IdempotencyRepository
from .instances import InstanceRegistry
from .models import ModelRepository
from .oauth import OAuthRepository
from .predictions import PredictionLog
from .settings import TenantSettings
from .tenants import TenantRepository


@dataclass(frozen=True)
class Store:
    db: Database
    tenants: TenantRepository
    settings: TenantSettings
    oauth: OAuthRepository
    models: ModelRepository
    idempotency: IdempotencyRepository
    predictions: PredictionLog
    instances: InstanceRegistry

    @classmethod
    def open(cls, config: ServerConfig) -> Store:
        db = Database(config.db_path)
        instances = InstanceRegistry(db, grace=config.instance_grace)
        instances.register()
        return cls(
            db=db,
            instances=instances,
            tenants=TenantRepository(db),
            settings=TenantSettings(db),
            oauth=OAuthRepository(db),
            models=ModelRepository(db),
            idempotency=IdempotencyRepository(
                db,
                ttl=config.idempotency_ttl,
                max_bytes=config.idempotency_max_bytes,
                lease=config.idempotency_lease,
                owner=instances.id,
                grace=config.instance_grace,
            ),
            predictions=PredictionLog(db),
        )

    def close(self) -> None:
        """Leave the instance table and close the database; closing twice is a no-op."""
        if self.db.closed:
            return
        self.instances.leave()
        self.db.close()


__all__ = ["Database", "Store"]
