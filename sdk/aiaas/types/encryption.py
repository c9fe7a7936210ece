"""The server's public keys for encrypted payloads (``GET /v1/encryption/keys``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .api_object import APIObject


class EncryptionKey(BaseModel):
    """A key requests can be sealed to until ``expires_at`` (Unix seconds)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    kid: str
    suite: str
    public_key: str
    """The public key, base64url without padding."""
    created_at: int
    expires_at: int


class EncryptionKeyList(APIObject):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    object: Literal["list"] = "list"
    data: list[EncryptionKey]
