"""Bearer-token authentication and per-route scopes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from .problems import ProblemError
from .services import get_services


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant, through one of its keys, with these scopes."""

    tenant_id: str
    key_id: str
    scopes: frozenset[str]


def _unauthorized(code: str, detail: str, *, error: str | None = "invalid_token") -> ProblemError:
    # RFC 6750 §3.1: no error attribute when the request carried no credentials.
    challenge = 'Bearer realm="aiaas"' + (f', error="{error}"' if error else "")
    return ProblemError(401, code, detail, headers={"WWW-Authenticate": challenge})


def authenticate(request: Request) -> Principal:
    """The caller of ``request``; raises a 401 problem if it cannot be established.

    The result is kept on the request, so a request is authenticated once however
    many dependencies ask.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    header = request.headers.get("authorization")
    if header is None:
        raise _unauthorized(
            "missing_credentials", "Send 'Authorization: Bearer <API key>'.", error=None
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized(
            "invalid_authorization_header",
            "The Authorization header must be 'Bearer <API key>'.",
            error="invalid_request",
        )
    record = get_services(request).store.tenants.find_key(token)
    if record is None:
        raise _unauthorized("invalid_api_key", "The API key is not valid.")
    if record.revoked:
        raise _unauthorized("revoked_api_key", "The API key has been revoked.")
    principal = Principal(record.tenant_id, record.id, record.scopes)
    request.state.principal = principal
    return principal


def require_scope(scope: str) -> Callable[..., Principal]:
    """A dependency that authenticates and demands ``scope``; a missing one is a 403."""

    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
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
        return principal

    return dependency
