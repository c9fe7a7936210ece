"""Run a mock server in a background thread: ``with MockServer() as server: ...``."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import uvicorn
from fastapi import FastAPI

from ..app import create_app
from ..config import ServerConfig
from ..middleware.faults import DroppedResponseLogFilter
from ..services import Services
from ..store.tenants import IssuedKey, Tenant
from .admin import DEV_TENANT, Admin
from .slow_clients import with_header_timeout
from .tls import TlsFiles, generate_tls_files


class MockServer:
    """A mock server on a free loopback port, with a development tenant and API key.

    ``base_url`` and ``api_key`` are ready for ``aiaas.Client``; ``admin`` manages
    tenants and keys. With ``tls=True`` it serves HTTPS with a certificate from a
    new CA whose certificate is at ``ca_path``. The server stops on leaving the
    ``with`` block or on :meth:`stop`; its thread is a daemon, so it never
    outlives the process.
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        grpc: bool = False,
        startup_timeout: float = 60.0,
    ) -> None:
        self.config = config or ServerConfig()
        if grpc and self.config.grpc_port is None:
            self.config = dataclasses.replace(self.config, grpc_port=free_port(host))
        self._host = host
        self._port = port
        self._tls = tls
        self._tls_dir: Path | None = None
        self._tls_files: TlsFiles | None = None
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.app: FastAPI | None = None
        self.tenant: Tenant | None = None
        self._key: IssuedKey | None = None

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self.app = create_app(self.config)
        admin = self.admin
        self._key = admin.rotate_dev_key()
        self.tenant = admin.get_or_create_tenant(DEV_TENANT)

        if self._tls:
            self._tls_dir = Path(tempfile.mkdtemp(prefix="aiaas-mock-tls-"))
            self._tls_files = generate_tls_files(self._tls_dir, [self._host])
        self._socket = bind_socket(self._host, self._port)
        self._port = self._socket.getsockname()[1]
        self._server = uvicorn_server(self.app, log_level="warning", tls=self._tls_files)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"aiaas-mock:{self._port}",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_started()
        return self

    def _wait_until_started(self) -> None:
        assert self._server is not None
        assert self._thread is not None
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self.stop()
                raise RuntimeError("the mock server failed to start; see its log")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the mock server did not start in {self._startup_timeout} s")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        if self._socket is not None:
            self._socket.close()
        if self._tls_dir is not None:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
        if self.app is not None:
            self.services.store.close()
        self._server = self._thread = self._socket = None
        self._tls_dir = self._tls_files = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- access -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self._host}:{self._port}"

    @property
    def grpc_target(self) -> str:
        """``host:port`` of ``/v2`` over gRPC (``grpc=True`` only), for ``aiaas.oip.GrpcClient``."""
        if self.config.grpc_port is None:
            raise RuntimeError("the server is not running with grpc=True")
        return f"{self._host}:{self.config.grpc_port}"

    @property
    def ca_path(self) -> Path:
        """The CA certificate to trust for this server's HTTPS (``tls=True`` only)."""
        if self._tls_files is None:
            raise RuntimeError("the server is not running with tls=True")
        return self._tls_files.ca_cert

    @property
    def api_key(self) -> str:
        """The development tenant's key, with every scope."""
        if self._key is None:
            raise RuntimeError("start the server first")
        return self._key.secret.reveal()

    @property
    def services(self) -> Services:
        if self.app is None:
            raise RuntimeError("start the server first")
        services: Services = self.app.state.services
        return services

    @property
    def admin(self) -> Admin:
        return Admin.of(self.services)

    def __repr__(self) -> str:
        running = self._thread is not None
        return f"MockServer(base_url={self.base_url!r}, running={running})"


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # asyncio turns Nagle off (TCP_NODELAY) only on sockets whose protocol is
    # IPPROTO_TCP; with the default 0, each keep-alive response stalls ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_server(
    app: FastAPI, *, log_level: str, access_log: bool = False, tls: TlsFiles | None = None
) -> uvicorn.Server:
    """A uvicorn server for ``app`` whose log hides injected connection drops."""
    install_log_filters()
    config = app.state.services.config
    options = uvicorn_options(config, log_level=log_level, access_log=access_log, tls=tls)
    return uvicorn.Server(
        uvicorn.Config(app, http=with_header_timeout(config.header_timeout), **options)
    )


def uvicorn_options(
    config: ServerConfig, *, log_level: str, access_log: bool, tls: TlsFiles | None
) -> dict[str, Any]:
    """uvicorn's settings for a server of ``config``, one process or several.

    ``X-Forwarded-For`` is believed only from the configured proxies (none by
    default): uvicorn would believe it from 127.0.0.1, and the guess limiter,
    which counts per client address, could then be walked around by naming a
    new address in every request.
    """
    proxies = config.trusted_proxies
    return {
        "log_level": log_level,
        "access_log": access_log,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies) if proxies else None,
        "lifespan": "on",
        "loop": "asyncio",
        "timeout_graceful_shutdown": 5,
        "ssl_certfile": str(tls.cert) if tls else None,
        "ssl_keyfile": str(tls.key) if tls else None,
    }


def install_log_filters() -> None:
    """Hide the log line uvicorn writes for each connection the fault injector drops."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DroppedResponseLogFilter) for f in logger.filters):
        logger.addFilter(DroppedResponseLogFilter())


def free_port(host: str) -> int:
    """A port free on ``host`` now (for a server that binds it itself, like gRPC's)."""
    with bind_socket(host, 0) as sock:
        port: int = sock.getsockname()[1]
    return port
