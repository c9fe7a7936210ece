"""What one app instance owns, reachable from any request of that app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .api.auth_failures import AuthFailureLimiter
from .api.cursors import CursorCodec
from .api.inference import InferenceSlots
from .config import ServerConfig
from .datasets.uploads import Ingest
from .encryption.keys import KeyStore
from .jobs.executors import make_executor
from .jobs.prepare import work_preparer
from .jobs.runner import JobRunner
from .middleware.faults import FaultInjector
from .store import Store
from .training.trained_models import TrainedModels
from .zoo.catalogue import Catalogue
from .zoo.registry import SYSTEM_MODELS


@dataclass(frozen=True)
class Services:
    config: ServerConfig
    store: Store
    catalogue: Catalogue
    cursors: CursorCodec
    faults: FaultInjector
    auth_failures: AuthFailureLimiter
    keys: KeyStore
    inference: InferenceSlots
    jobs: JobRunner
    trained: TrainedModels
    ingest: Ingest

    @classmethod
    def create(cls, config: ServerConfig) -> Services:
        """Open the store, list the system models in it and make the first keys."""
        store = Store.open(config)
        catalogue = Catalogue(SYSTEM_MODELS, config.data_seed)
        for model_card in catalogue.cards():
            store.models.put(model_card)
        services = cls(
            config=config,
            store=store,
            catalogue=catalogue,
            cursors=CursorCodec(store.db.setting_secret("cursor_key")),
            faults=FaultInjector(config.faults),
            auth_failures=AuthFailureLimiter(
                store.db, config.auth_failure_limit, config.auth_failure_window
            ),
            inference=InferenceSlots(
                config.max_concurrent_inference, config.inference_queue_timeout
            ),
            keys=KeyStore(
                store.db,
                lifetime=config.encryption_key_lifetime,
                overlap=config.encryption_key_overlap,
            ),
            jobs=JobRunner(
                store,
                lambda: make_executor(config.cluster, config.job_workers, store.data_dir / "jobs"),
                work_preparer(store, catalogue, config.data_seed),
                drivers=config.job_drivers,
            ),
            trained=TrainedModels(),
            ingest=Ingest(store.data_dir / "jobs"),
        )
        services.keys.active()  # make the first keys now, not on a client's first request
        return services


def get_services(request: Request) -> Services:
    """The services of the app serving ``request``."""
    services: Services = request.app.state.services
    return services
