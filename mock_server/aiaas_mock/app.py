"""The app factory: one independent mock server per call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from aiaas import __version__

from .auth_failures import AuthFailureLimiter
from .body_limit import BodyLimitMiddleware
from .config import ServerConfig
from .cursors import CursorCodec
from .encryption.keys import KeyStore
from .encryption.middleware import EncryptionMiddleware
from .encryption.replay import ReplayGuard
from .faults import FaultInjector, FaultMiddleware
from .problems import install_problem_handlers
from .request_id import RequestIdMiddleware
from .routers import embeddings, encryption, health, models, oauth
from .services import Services
from .store import Store
from .zoo.catalogue import Catalogue, system_entries


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """A new mock server app with its own database, models and settings.

    Everything the app uses hangs off ``app.state.services``; nothing is shared
    between apps but the memoised, deterministic training of system models.
    """
    config = config or ServerConfig()
    store = Store.open(config)
    catalogue = Catalogue(system_entries(), config.data_seed)
    for model_card in catalogue.cards():
        store.models.put(model_card)
    services = Services(
        config=config,
        store=store,
        catalogue=catalogue,
        cursors=CursorCodec(store.db.setting_secret("cursor_key")),
        faults=FaultInjector(config.faults),
        auth_failures=AuthFailureLimiter(config.auth_failure_limit, config.auth_failure_window),
        keys=KeyStore(
            store.db,
            lifetime=config.encryption_key_lifetime,
            overlap=config.encryption_key_overlap,
        ),
    )
    services.keys.active()  # make the first keys now, not on a client's first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="aiaas mock server",
        version=__version__,
        description="Local stand-in for the aiaas service, running real models.",
        lifespan=lifespan,
    )
    app.state.services = services
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(encryption.router)
    app.include_router(oauth.router)
    app.include_router(models.router)
    app.include_router(embeddings.router)
    # Added last runs first: ids are assigned before faults, faults before the body
    # limit, and sealed bodies are opened (within that limit) before the app reads them.
    app.add_middleware(
        EncryptionMiddleware,
        keys=services.keys,
        replay=ReplayGuard(store.db, config.encryption_window),
        window=config.encryption_window,
        require_encryption=config.require_encryption,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(FaultMiddleware, injector=services.faults)
    app.add_middleware(RequestIdMiddleware)
    return app
