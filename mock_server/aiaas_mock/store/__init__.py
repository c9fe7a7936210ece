"""Storage of the mock server: SQLite behind one small repository per resource."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import ServerConfig
from .database import Database
from .datasets import DatasetRepository
from .idempotency import IdempotencyRepository
from .instances import InstanceRegistry
from .jobs import JobRepository
from .models import ModelRepository
from .oauth import OAuthRepository
from .predictions import PredictionLog
from .quotas import QuotaRepository
from .settings import TenantSettings
from .tenants import TenantRepository


@dataclass(frozen=True)
class Store:
    db: Database
    tenants: TenantRepository
    settings: TenantSettings
    quotas: QuotaRepository
    oauth: OAuthRepository
    models: ModelRepository
    idempotency: IdempotencyRepository
    predictions: PredictionLog
    instances: InstanceRegistry
    datasets: DatasetRepository
    jobs: JobRepository
    data_dir: Path
    """Datasets' files (``datasets/<id>/``) and jobs' flags (``jobs/``)."""
    owns_data_dir: bool

    @classmethod
    def open(cls, config: ServerConfig) -> Store:
        db = Database(config.db_path)
        instances = InstanceRegistry(db, grace=config.instance_grace)
        instances.register()
        if config.data_dir is not None:
            data_dir, owned = Path(config.data_dir), False
        elif config.db_path != ":memory:":
            data_dir, owned = Path(f"{config.db_path}.data"), False
        else:
            data_dir, owned = Path(tempfile.mkdtemp(prefix="aiaas-mock-data-")), True
        (data_dir / "datasets").mkdir(parents=True, exist_ok=True)
        (data_dir / "jobs").mkdir(parents=True, exist_ok=True)
        return cls(
            db=db,
            instances=instances,
            tenants=TenantRepository(db),
            settings=TenantSettings(db),
            quotas=QuotaRepository(db, config.quotas),
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
            datasets=DatasetRepository(db),
            jobs=JobRepository(db),
            data_dir=data_dir,
            owns_data_dir=owned,
        )

    def dataset_dir(self, dataset_id: str) -> Path:
        return self.data_dir / "datasets" / dataset_id

    def close(self) -> None:
        """Leave the instance table and close the database; closing twice is a no-op."""
        if self.db.closed:
            return
        self.instances.leave()
        self.db.close()
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


__all__ = ["Database", "Store"]
