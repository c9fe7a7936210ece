"""``POST /v1/oauth/token``: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...services import Services
from ...store.oauth import ClientRecord
from ..auth import client_address
from ..deps import ServicesDep
from ..openapi import PROBLEMS
from ..problems import ProblemError

router = APIRouter(prefix="/v1/oauth", tags=["oauth"], responses=PROBLEMS)

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 4096


def oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> ProblemError:
    """An RFC 6749 §5.2 error that is also an RFC 9457 problem."""
    return ProblemError(
        status,
        error,
        description,
        headers={"Cache-Control": "no-store", **(headers or {})},
        extra={"error": error, "error_description": description},
        media_type="application/json",
    )


TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {"type": "string"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post("/token", response_class=JSONResponse, openapi_extra=TOKEN_FORM)
async def issue_token(request: Request, services: ServicesDep) -> JSONResponse:
    """Exchange a client's id and secret for a short-lived bearer access token."""
    form = await _read_form(request)
    grant_type = form.get("grant_type")
    if grant_type is None:
        raise oauth_error(400, "invalid_request", "grant_type is missing.")
    if grant_type != "client_credentials":
        raise oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    client = _authenticate_client(request, form, services)
    requested = frozenset(form["scope"].split()) if form.get("scope") else client.scopes
    if not requested or not requested <= client.scopes:
        raise oauth_error(
            400, "invalid_scope", f"This client may ask for: {' '.join(sorted(client.scopes))}."
        )
    token = services.store.oauth.issue_token(client, requested, services.config.token_lifetime)
    return JSONResponse(
        {
            "access_token": token.value.reveal(),
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "scope": " ".join(sorted(token.scopes)),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


async def _read_form(request: Request) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise oauth_error(400, "invalid_request", f"Send the parameters as {FORM_TYPE}.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise oauth_error(400, "invalid_request", "The request is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise oauth_error(400, "invalid_request", "The form could not be read.") from None
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # RFC 6749 §3.1: parameters must not be sent more than once
        raise oauth_error(400, "invalid_request", f"Repeated parameter: {', '.join(repeated)}.")
    return dict(pairs)


def _authenticate_client(
    request: Request, form: dict[str, str], services: Services
) -> ClientRecord:
    header = request.headers.get("authorization")
    in_body = "client_id" in form or "client_secret" in form
    if header is not None and in_body:
        raise oauth_error(400, "invalid_request", "Authenticate the client one way only.")
    if header is not None:
        client_id, secret = _basic_credentials(header)
        challenge = {"WWW-Authenticate": 'Basic realm="aiaas"'}
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        challenge = {}
    client = services.store.oauth.authenticate_client(client_id, secret) if client_id else None
    if client is None:
        raise services.auth_failures.failed(
            client_address(request),
            oauth_error(401, "invalid_client", "Client authentication failed.", challenge),
        )
    return client


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError(scheme)
        client_id, _, secret = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise oauth_error(
            400, "invalid_request", "The Authorization header must be Basic."
        ) from None
    return unquote(client_id), unquote(secret)
