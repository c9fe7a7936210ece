"""``GET /v1/encryption/keys``: the public keys clients seal requests to (no auth)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from aiaas.envelope import public_key_text
from aiaas.types import EncryptionKey, EncryptionKeyList

from ..deps import ServicesDep
from ..openapi import PROBLEMS

router = APIRouter(prefix="/v1/encryption", tags=["encryption"], responses=PROBLEMS)


@router.get("/keys")
def list_keys(response: Response, services: ServicesDep) -> EncryptionKeyList:
    """Every usable key, newest first; seal to the newest key of your suite."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return EncryptionKeyList(
        data=[
            EncryptionKey(
                kid=key.kid,
                suite=key.pair.suite.name,
                public_key=public_key_text(key.pair.public_bytes),
                created_at=int(key.created_at),
                expires_at=int(key.expires_at),
            )
            for key in services.keys.active()
        ]
    )
