"""``Idempotency-Key`` handling for POST routes: replay, conflict and reuse checks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ..services import Services, get_services
from ..store.idempotency import Claimed, InProgress, Mismatch, StoredResponse, Write
from .auth import ScopeDependency, authenticate, check_scope
from .problems import ProblemError

IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

# Answers worth replaying: the request ran to a result. 401/403/409/429 and 5xx
# say the request did not run, so the same key may be tried again.
_NOT_STORED = frozenset({401, 403, 409, 429})


def fingerprint(method: str, path: str, query: str, body: bytes) -> bytes:
    """What makes two requests 'the same request'."""
    digest = hashlib.sha256()
    for part in (method, path, query):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.digest()


def record(request: Request, services: Services, write: Write) -> None:
    """Make a request's write: with its stored answer, in one transaction, when the
    request carries an idempotency key (so a crash between the two cannot make a
    retry run it twice); at once otherwise."""
    deferred: list[Write] | None = getattr(request.state, "deferred_writes", None)
    if deferred is None:
        commit(services, [write])
    else:
        deferred.append(write)


def commit(services: Services, writes: list[Write]) -> None:
    if writes:
        with services.store.db.transaction() as conn:
            for write in writes:
                write(conn)


def stored_key(credential_id: str, header: str) -> str:
    """Keys are the caller's own: another credential's same key never matches."""
    return f"{credential_id}:{header}"


class IdempotentRoute(APIRoute):
    """A route of authenticated resources whose requests with an ``Idempotency-Key``
    run at most once per credential.

    The caller is authenticated, and the route's scopes checked, before anything
    else, the body and the stored answers included: a stored answer is given only
    to the key or client that made it, and only while it may still call the route.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # A body read into a model is JSON; what else arrives is refused as such.
        takes_json = self.body_field is not None and "POST" in (self.methods or ())
        scopes = [
            dependency.call.scope
            for dependency in self.dependant.dependencies
            if isinstance(dependency.call, ScopeDependency)
        ]

        async def run_once(request: Request) -> Response:
            principal = authenticate(request)
            for scope in scopes:
                check_scope(principal, scope)
            if takes_json:
                _check_json(request)
            header = request.headers.get(IDEMPOTENCY_HEADER)
            if header is None or request.method == "GET":
                return await handler(request)
            _check(header)
            key = stored_key(principal.credential_id, header)
            store = get_services(request).store.idempotency
            body = await request.body()
            claim = store.claim(
                principal.tenant_id,
                key,
                fingerprint(request.method, request.url.path, request.url.query, body),
            )
            if not isinstance(claim, Claimed):
                return _answer_without_running(claim)
            writes: list[Write] = []
            request.state.deferred_writes = writes
            try:
                response = await handler(request)
            except BaseException:
                store.release(principal.tenant_id, key)
                raise
            answer = getattr(response, "body", None)
            stored_kind = response.status_code < 500 and response.status_code not in _NOT_STORED
            if not stored_kind or not isinstance(answer, bytes):
                commit(get_services(request), writes)
                store.release(principal.tenant_id, key)
            else:
                stored = StoredResponse(response.status_code, response.media_type, answer)
                store.finish(principal.tenant_id, key, stored, writes)
            return response

        return run_once


def _check_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ProblemError(
            415,
            "unsupported_media_type",
            f"Send the body as application/json, not {media_type or 'without a type'}.",
        )


def _check(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ProblemError(
            400,
            "invalid_idempotency_key",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
        )


def _answer_without_running(claim: StoredResponse | Mismatch | InProgress) -> Response:
    """The answer to a request whose key another request holds or has used."""
    if isinstance(claim, StoredResponse):
        return Response(
            claim.body, claim.status, {REPLAYED_HEADER: "true"}, media_type=claim.media_type
        )
    if isinstance(claim, Mismatch):
        raise ProblemError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request.",
        )
    raise ProblemError(
        409,
        "request_in_progress",
        "A request with this Idempotency-Key is still running.",
        headers={"Retry-After": "1"},
    )
