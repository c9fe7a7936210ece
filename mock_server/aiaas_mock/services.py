"""What one app instance owns, reachable from any request of that app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .api.auth_failures import AuthFailureLimiter
from .api.cursors import CursorCodec
from .api.inference import InferenceSlots
from .batch.driver import BatchDriver
from .config import ServerConfig
from .datasets.uploads import Ingest
from .encryption.keys import KeyStore
from .jobs.runner import JobRunner
from .middleware.faults import FaultInjector
from .model_loader import ModelLoader
from .store import Store
from .training.driver import TrainingDriver
from .workers import make_executor
from .zoo.catalogue import system_cards
from .zoo.registry import SYSTEM_MODELS


@dataclass(frozen=True)
class Services:
    config: ServerConfig
    store: Store
    models: ModelLoader
    cursors: CursorCodec
    faults: FaultInjector
    auth_failures: AuthFailureLimiter
    keys: KeyStore
    inference: InferenceSlots
    jobs: JobRunner
    ingest: Ingest

    @classmethod
    def create(cls, config: ServerConfig) -> Services:
        """Open the store, list the system models in it and make the first keys."""
        store = Store.open(config)
        for model_card in system_cards(SYSTEM_MODELS, config.data_seed):
            store.models.put(model_card)
        services = cls(
            config=config,
            store=store,
            models=ModelLoader(SYSTEM_MODELS, config.data_seed),
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
                {
                    "training": TrainingDriver(store, config.data_seed),
                    "batch_prediction": BatchDriver(store, config.data_seed),
                },
                threads=config.job_drivers,
            ),
            ingest=Ingest(store.data_dir / "jobs"),
        )
        services.keys.active()  # make the first keys now, not on a client's first request
        return services


def get_services(request: Request) -> Services:
    """The services of the app serving ``request``."""
    services: Services = request.app.state.services
    return services
