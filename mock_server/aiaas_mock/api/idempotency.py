"""``Idempotency-Key`` handling for POST routes: replay, conflict and reuse checks."""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

import anyio.to_thread
from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from ..services import Services, get_services
from ..store.idempotency import (
    Claim,
    Claimed,
    IdempotencyRepository,
    InProgress,
    Mismatch,
    StoredResponse,
    Write,
)
from .auth import ScopeDependency, authenticate, check_scope
from .problems import ProblemError

EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])
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


async def record_from_loop(request: Request, services: Services, write: Write) -> None:
    """:func:`record` for async routes: a write made at once goes to a worker thread."""
    if getattr(request.state, "deferred_writes", None) is None:
        await anyio.to_thread.run_sync(commit, services, [write])
    else:
        record(request, services, write)


def commit(services: Services, writes: list[Write]) -> None:
    if writes:
        with services.store.db.transaction() as conn:
            for write in writes:
                write(conn)


def stored_key(credential_id: str, header: str) -> str:
    """Keys are the caller's own: another credential's same key never matches."""
    return f"{credential_id}:{header}"


@dataclass(frozen=True)
class _KeyedRequest:
    """A request with an ``Idempotency-Key``, on its way to its endpoint."""

    request: Request
    store: IdempotencyRepository
    tenant_id: str
    key: str
    fingerprint: bytes

    def claim(self) -> Claim:
        return self.store.claim(self.tenant_id, self.key, self.fingerprint)

    def release(self) -> None:
        self.store.release(self.tenant_id, self.key)

    def settle(self, response: Response, writes: list[Write]) -> None:
        """Store the answer with the request's writes, or, for an answer that says
        the request did not run, make the writes and free the key."""
        answer = getattr(response, "body", None)
        status = response.status_code
        if status >= 500 or status in _NOT_STORED or not isinstance(answer, bytes):
            commit(get_services(self.request), writes)
            self.release()
        else:
            stored = StoredResponse(status, response.media_type, answer)
            self.store.finish(self.tenant_id, self.key, stored, writes)


_WRAPPED_MARK = "_aiaas_in_one_thread"
STREAMS_BODY_MARK = "_aiaas_streams_body"


def streams_body(endpoint: EndpointT) -> EndpointT:
    """Mark an endpoint that reads its own body as a stream (an upload)."""
    setattr(endpoint, STREAMS_BODY_MARK, True)
    return endpoint


_KEYED: ContextVar[_KeyedRequest | None] = ContextVar("aiaas_keyed_request", default=None)


class IdempotentRoute(APIRoute):
    """A route of authenticated resources whose requests with an ``Idempotency-Key``
    run at most once per credential.

    The caller is authenticated, and the route's scopes checked, before anything
    else, the body and the stored answers included: a stored answer is given only
    to the key or client that made it, and only while it may still call the route.

    A plain (sync) POST endpoint is wrapped so that claiming its key, running it,
    serialising its answer and storing that answer with its writes happen in the
    one worker thread FastAPI runs it on: a keyed request costs one hand-off to
    the thread pool, and its writes never run on the event loop.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = kwargs.get("methods") or ()
        # Some FastAPI versions (0.135 among them) build a route again, from the
        # wrapped endpoint, when a router is included: wrap once.
        wrapped = getattr(endpoint, _WRAPPED_MARK, False)
        if "POST" in methods and not inspect.iscoroutinefunction(endpoint) and not wrapped:
            endpoint = _in_one_thread(endpoint, kwargs.get("status_code") or 200)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # A body read into a model is JSON; what else arrives is refused as such.
        takes_json = self.body_field is not None and "POST" in (self.methods or ())
        in_thread = not inspect.iscoroutinefunction(self.endpoint)
        streamed = getattr(self.endpoint, STREAMS_BODY_MARK, False)
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
            # A streamed upload is matched on its method, path and query only:
            # reading its body here would hold the whole upload in memory.
            body = b"" if streamed else await request.body()
            keyed = _KeyedRequest(
                request,
                get_services(request).store.idempotency,
                principal.tenant_id,
                stored_key(principal.credential_id, header),
                fingerprint(request.method, request.url.path, request.url.query, body),
            )
            if in_thread:
                token = _KEYED.set(keyed)
                try:
                    return await handler(request)
                finally:
                    _KEYED.reset(token)
            return await _run_keyed_async(keyed, handler)

        return run_once


async def _run_keyed_async(
    keyed: _KeyedRequest, handler: Callable[[Request], Coroutine[Any, Any, Response]]
) -> Response:
    """An async endpoint's keyed request: the claim and the settling in worker threads."""
    claim = await anyio.to_thread.run_sync(keyed.claim)
    if not isinstance(claim, Claimed):
        return _answer_without_running(claim)
    writes: list[Write] = []
    keyed.request.state.deferred_writes = writes
    try:
        response = await handler(keyed.request)
    except BaseException:
        await anyio.to_thread.run_sync(keyed.release)
        raise
    await anyio.to_thread.run_sync(keyed.settle, response, writes)
    return response


def _in_one_thread(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    """``endpoint``, answering with its result serialised, and, for a keyed request,
    claiming the key before and storing the answer after, in the caller's thread."""
    adapter: TypeAdapter[Any] = TypeAdapter(get_type_hints(endpoint)["return"])

    def answer(result: Any) -> Response:
        if isinstance(result, Response):
            return result
        body = adapter.dump_json(result, by_alias=True)
        return Response(body, status_code, media_type="application/json")

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Response:
        keyed = _KEYED.get()
        if keyed is None:
            return answer(endpoint(*args, **kwargs))
        claim = keyed.claim()
        if not isinstance(claim, Claimed):
            return _answer_without_running(claim)
        writes: list[Write] = []
        keyed.request.state.deferred_writes = writes
        try:
            response = answer(endpoint(*args, **kwargs))
        except BaseException:
            keyed.release()
            raise
        keyed.settle(response, writes)
        return response

    # FastAPI reads the parameters from the signature; with the annotations
    # evaluated here, in the endpoint's module, it needs no globals of its own.
    run.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    setattr(run, _WRAPPED_MARK, True)
    return run


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
