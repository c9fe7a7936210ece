"""The app factory: one independent mock server per call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.routing import Match

from aiaas import __version__

from .api.auth import has_valid_credentials
from .api.openapi import document_encryption
from .api.problems import install_problem_handlers
from .api.routes import ROUTERS
from .config import ServerConfig
from .datasets.uploads import remove_abandoned_uploads, remove_unknown_datasets
from .encryption.middleware import EncryptionMiddleware
from .encryption.replay import ReplayGuard
from .middleware.body_limit import BodyLimitMiddleware
from .middleware.faults import FaultMiddleware
from .middleware.request_id import RequestIdMiddleware
from .services import Services

if TYPE_CHECKING:
    from .oip_grpc import GrpcServer


async def _beat(services: Services) -> None:
    """Tell other processes on the database that this one is alive, and forget
    stored idempotent answers past their retention or the byte budget."""
    interval = services.config.instance_grace / 5
    while True:
        await asyncio.sleep(interval)
        await asyncio.to_thread(services.store.instances.beat)
        await asyncio.to_thread(services.store.idempotency.expire)
        await asyncio.to_thread(_tidy_jobs_and_uploads, services)


def _tidy_jobs_and_uploads(services: Services) -> None:
    """Fail the jobs of server processes that died, and remove their half-written
    uploads: a job is never left running forever, an upload never half there."""
    store = services.store
    store.jobs.fail_orphans(services.config.instance_grace, adopter=store.instances.id)
    remove_abandoned_uploads(store.data_dir / "datasets", store.instances.live())
    remove_unknown_datasets(store.data_dir / "datasets", store.datasets.ids())


def _document(app: FastAPI) -> None:
    """Add to ``/openapi.json`` what FastAPI cannot see: the encryption envelope."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_encryption(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@asynccontextmanager
async def _running(services: Services) -> AsyncIterator[None]:
    """The app's life between start-up and shutdown."""
    # An app may be started and stopped more than once (test clients do), so
    # stopping leaves the instance table but keeps the database open; whoever
    # made the app closes it (services.store.close()) when done with it.
    await asyncio.to_thread(services.store.instances.register)
    await asyncio.to_thread(_tidy_jobs_and_uploads, services)
    if services.config.cluster is not None:
        # Connect now: a wrong scheduler address stops the server at start-up,
        # not the first job.
        await asyncio.to_thread(services.jobs.executor)
    services.jobs.start()
    heartbeat = asyncio.create_task(_beat(services))
    grpc_server = await _start_grpc(services)
    try:
        yield
    finally:
        heartbeat.cancel()
        if grpc_server is not None:
            await grpc_server.stop()
        await asyncio.to_thread(services.jobs.stop)
        await asyncio.to_thread(services.ingest.close)
        await asyncio.to_thread(services.store.instances.leave)
        # This instance's running jobs stopped with it: say so now, not when
        # another server next looks (its queued ones wait for the next server).
        await asyncio.to_thread(services.store.jobs.fail_orphans, services.config.instance_grace)


async def _start_grpc(services: Services) -> GrpcServer | None:
    config = services.config
    if config.grpc_port is None:
        return None
    from .oip_grpc import GrpcServer  # grpcio is imported only when asked for

    server = GrpcServer(services, config.grpc_host, config.grpc_port)
    await server.start()
    return server


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """A new mock server app with its own database, models and settings.

    Everything the app uses hangs off ``app.state.services``; nothing is shared
    between apps but the memoised, deterministic training of system models.
    """
    config = config or ServerConfig()
    services = Services.create(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _running(services):
            yield

    # The interactive docs (/docs, /redoc) load Swagger UI and ReDoc from the
    # package, not from a CDN: the mock is for offline and air-gapped machines.
    app = FastAPIOffline(
        title="aiaas mock server",
        version=__version__,
        description="Local stand-in for the aiaas service, running real models.",
        lifespan=lifespan,
        static_url="/docs-assets",
    )
    app.state.services = services
    install_problem_handlers(app)
    _document(app)
    for router in ROUTERS:
        app.include_router(router)
    # Added last runs first: ids are assigned before faults, faults before the body
    # limit, and sealed bodies are opened (within that limit) before the app reads them.
    app.add_middleware(
        EncryptionMiddleware,
        keys=services.keys,
        replay=ReplayGuard(services.store.db, config.encryption_window),
        window=config.encryption_window,
        require_encryption=config.require_encryption,
        routed=lambda scope: any(route.matches(scope)[0] is Match.FULL for route in app.routes),
        authentic=lambda headers: has_valid_credentials(services, headers.get("authorization")),
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=config.max_body_bytes,
        upload_paths={"/v1/datasets": config.max_dataset_bytes},
    )
    app.add_middleware(
        FaultMiddleware,
        injector=services.faults,
        authentic=lambda headers: has_valid_credentials(services, headers.get("authorization")),
    )
    app.add_middleware(RequestIdMiddleware)
    return app
