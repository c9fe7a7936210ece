"""What one app instance owns, reachable from any request of that app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .auth_failures import AuthFailureLimiter
from .config import ServerConfig
from .cursors import CursorCodec
from .encryption.keys import KeyStore
from .faults import FaultInjector
from .store import Store
from .zoo.catalogue import Catalogue


@dataclass(frozen=True)
class Services:
    config: ServerConfig
    store: Store
    catalogue: Catalogue
    cursors: CursorCodec
    faults: FaultInjector
    auth_failures: AuthFailureLimiter
    keys: KeyStore


def get_services(request: Request) -> Services:
    """FastAPI dependency: the services of the app serving ``request``."""
    services: Services = request.app.state.services
    return services
