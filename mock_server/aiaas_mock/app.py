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
from .faults import FaultInjector, FaultMiddleware
from .problems import install_problem_handlers
from .request_id import RequestIdMiddleware
from .routers import health, models, oauth
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
    for model in catalogue:
        store.models.put(model.card())
    services = Services(
        config=config,
        store=store,
        catalogue=catalogue,
        cursors=CursorCodec(store.db.setting_secret("cursor_key")),
        faults=FaultInjector(config.faults),
        auth_failures=AuthFailureLimiter(config.auth_failure_limit, config.auth_failure_window),
    )

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
    app.include_router(oauth.router)
    app.include_router(models.router)
    # Added last runs first: ids are assigned before faults, faults before the body limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(FaultMiddleware, injector=services.faults)
    app.add_middleware(RequestIdMiddleware)
    return app
