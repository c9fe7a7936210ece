"""What ``/openapi.json`` says of the answers no route returns on purpose: the
problem details every ``/v1`` route may answer with, the protocol's
``{"error"}`` of ``/v2``, and how a sealed body is sent. Shared by the routers,
so a client generator or a schema fuzzer can check every answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from aiaas.envelope import HEADER, MEDIA_TYPE
from aiaas.types import Problem

from ..encryption.middleware import UNSEALED_PATHS
from .problems import PROBLEM_MEDIA_TYPE

_WHY = {
    400: "Malformed request: bad JSON, cursor, idempotency key or encryption header",
    401: "Missing, unknown, expired or revoked credentials",
    403: "The credentials lack the scope the route needs",
    404: "No such model or route, or not the caller's",
    405: "Method not allowed",
    409: "A request with this idempotency key is still running, or the model cannot serve",
    413: "The body, or what the call asks the models to do, is over the limit",
    415: "The body is not of a type the route takes",
    422: "A field is invalid (the problem's errors name each)",
    429: "Too many requests, or too many failed authentications",
    499: "The client went away before the answer",
    500: "The server failed",
    503: "Unavailable, or every inference slot is taken",
}


class OipError(BaseModel):
    """The Open Inference Protocol's error answer."""

    error: str


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "model": Problem,
    }


PROBLEMS: dict[int | str, dict[str, Any]] = {status: _problem(why) for status, why in _WHY.items()}
"""The problem answers a ``/v1`` route may give, for ``APIRouter(responses=...)``."""

OIP_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": why, "model": OipError} for status, why in _WHY.items()
}
"""The ``{"error": ...}`` answers of ``/v2``."""


def document_encryption(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the aiaas-hpke/1 envelope documented on every ``/v1`` route
    the encryption middleware opens: the ``Aiaas-Encryption`` header,
    and sealed bodies (``application/vnd.aiaas.hpke``) beside JSON ones."""
    header = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": "The aiaas-hpke/1 envelope of a sealed request (docs/protocol.md)",
        "schema": {"type": "string", "pattern": r"^v=1(;\s*[a-z]+=[^;]*)+$", "maxLength": 4096},
    }
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/") or path in UNSEALED_PATHS:
            continue
        for operation in operations.values():
            operation.setdefault("parameters", []).append(header)
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                content[MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return schema
