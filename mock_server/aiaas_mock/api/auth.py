"""Bearer authentication (API keys and OAuth access tokens) and per-route scopes."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..services import Services, get_services
from ..store.oauth import ACCESS_TOKEN_PREFIX
from .problems import ProblemError


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant, through one key or OAuth client, with these scopes."""

    tenant_id: str
    credential_id: str
    scopes: frozenset[str]


def _unauthorized(code: str, detail: str, *, error: str | None = "invalid_token") -> ProblemError:
    # RFC 6750 §3.1: no error attribute when the request carried no credentials.
    challenge = 'Bearer realm="aiaas"'
    if error:
        challenge += f', error="{error}", error_description="{detail}"'
    return ProblemError(401, code, detail, headers={"WWW-Authenticate": challenge})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request) -> Principal:
    """The caller of ``request``; raises a 401 (or 429) problem if it cannot be established.

    The result is kept on the request, so a request is authenticated once however
    many dependencies ask.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    services = get_services(request)
    principal = principal_of_header(
        services, request.headers.get("authorization"), client_address(request)
    )
    _require_sealed_body(services, request, principal)
    request.state.principal = principal
    return principal


def has_valid_credentials(services: Services, authorization: str | None) -> bool:
    """Whether an ``Authorization`` header holds a live key or token; counts nothing,
    answers nothing (for checks made before a request reaches its route)."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    if token.startswith(ACCESS_TOKEN_PREFIX):
        record = services.store.oauth.find_token(token)
        return record is not None and not (record.expired or record.revoked)
    key = services.store.tenants.find_key(token)
    return key is not None and not key.revoked


def _require_sealed_body(services: Services, request: Request, principal: Principal) -> None:
    if request.method in ("GET", "HEAD") or getattr(request.state, "sealed_request", False):
        return
    if services.store.settings.requires_encryption(principal.tenant_id):
        raise ProblemError(
            400,
            "encryption_required",
            "This tenant accepts request bodies only sealed (aiaas-hpke/1).",
        )


def principal_of_header(services: Services, header: str | None, address: str) -> Principal:
    """The caller an ``Authorization`` value (HTTP header or gRPC metadata) names;
    a 401 problem otherwise, counted against ``address`` where it may be a guess."""
    if header is None:
        raise _unauthorized(
            "missing_credentials", "Send 'Authorization: Bearer <token>'.", error=None
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise services.auth_failures.failed(
            address,
            _unauthorized(
                "invalid_authorization_header",
                "The Authorization header must be 'Bearer <token>'.",
                error="invalid_request",
            ),
        )
    return _principal_of_token(services, token, address)


def _principal_of_token(services: Services, token: str, address: str) -> Principal:
    if token.startswith(ACCESS_TOKEN_PREFIX):
        record = services.store.oauth.find_token(token)
        if record is None:
            raise services.auth_failures.failed(
                address, _unauthorized("invalid_token", "The access token is not valid.")
            )
        # Expired and revoked credentials were genuine once: no guessing, no penalty.
        if record.revoked:
            raise _unauthorized("token_revoked", "The access token's client has been revoked.")
        if record.expired:
            raise _unauthorized("token_expired", "The access token has expired.")
        return Principal(record.tenant_id, record.client_id, record.scopes)
    key = services.store.tenants.find_key(token)
    if key is None:
        raise services.auth_failures.failed(
            address, _unauthorized("invalid_api_key", "The API key is not valid.")
        )
    if key.revoked:
        raise _unauthorized("revoked_api_key", "The API key has been revoked.")
    return Principal(key.tenant_id, key.id, key.scopes)


BEARER = HTTPBearer(
    auto_error=False,
    description="An API key (aiaas_sk_...) or an access token from POST /v1/oauth/token",
)
"""The security scheme ``/openapi.json`` declares; :func:`authenticate` reads the header."""


class ScopeDependency:
    """A dependency that authenticates and demands ``scope``; a missing one is a 403.

    Routes that answer before their dependencies run (an idempotent replay) find
    the scope here and check it first.
    """

    def __init__(self, scope: str) -> None:
        self.scope = scope

    # Async, so FastAPI calls it on the event loop instead of handing it to the
    # thread pool: its reads take no lock (see ``Database.read``).
    async def __call__(
        self,
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> Principal:
        principal = authenticate(request)
        check_scope(principal, self.scope)
        return principal


def check_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise ProblemError(
            403,
            "insufficient_scope",
            f"This operation needs the '{scope}' scope.",
            headers={
                "WWW-Authenticate": f'Bearer realm="aiaas", error="insufficient_scope", '
                f'scope="{scope}"'
            },
        )


# FastAPI reads a dependency's parameters from its signature; evaluated here, the
# annotations need no lookup in this module (older FastAPI finds no globals for
# a callable instance).
ScopeDependency.__call__.__signature__ = inspect.signature(  # type: ignore[attr-defined]
    ScopeDependency.__call__, eval_str=True
)


def require_scope(scope: str) -> ScopeDependency:
    return ScopeDependency(scope)
