"""``aiaas-mock serve --workers N``: several server processes on one database file.

The parent binds the socket, prepares the database (and the development key),
and hands the socket to N worker processes that uvicorn spawns; each builds its
own app from the configuration passed in the environment. The workers share
everything that must be shared through the database: tenants and keys, stored
idempotent answers (each claim names the process running it), the guess
limiter's counts and the prediction log. Each has its own inference slots.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket

import uvicorn
from fastapi import FastAPI

from ..app import create_app
from ..config import FaultConfig, ServerConfig
from .runner import install_log_filters, uvicorn_options
from .slow_clients import HeaderDeadlineProtocol
from .tls import TlsFiles

__all__ = ["CONFIG_ENV", "app_from_environment", "serve_workers"]

CONFIG_ENV = "AIAAS_MOCK_WORKER_CONFIG"


def config_to_json(config: ServerConfig) -> str:
    return json.dumps(dataclasses.asdict(config))


def config_from_json(text: str) -> ServerConfig:
    fields = json.loads(text)
    faults = fields.pop("faults")
    faults["kinds"] = tuple(faults["kinds"])
    fields["trusted_proxies"] = tuple(fields["trusted_proxies"])
    return ServerConfig(faults=FaultConfig(**faults), **fields)


def app_from_environment() -> FastAPI:
    """The app of one worker process (a uvicorn factory)."""
    config = config_from_json(os.environ[CONFIG_ENV])
    # uvicorn passes the protocol class by reference to the worker; set its
    # deadline here, in the worker's own copy.
    HeaderDeadlineProtocol.header_timeout = config.header_timeout
    install_log_filters()
    return create_app(config)


def serve_workers(
    config: ServerConfig,
    workers: int,
    sock: socket.socket,
    *,
    log_level: str,
    tls: TlsFiles | None,
) -> None:
    """Run ``workers`` processes on the address ``sock`` holds, until stopped.

    uvicorn binds the address again for its workers (its supervisor's API for
    a bound socket differs between the versions allowed), so ``sock`` is closed
    first; it only reserved the port.
    """
    if config.db_path == ":memory:":
        raise ValueError("workers share their state through a database file, not :memory:")
    host, port = sock.getsockname()[:2]
    sock.close()
    os.environ[CONFIG_ENV] = config_to_json(config)
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HeaderDeadlineProtocol,
        **uvicorn_options(config, log_level=log_level, access_log=True, tls=tls),
    )
