"""Opaque, signed pagination cursors: a position bound to the list it came from."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Annotated

from fastapi import Query

from .problems import ProblemError

_TAG_BYTES = 16


CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
"""What every cursor looks like (unpadded URL-safe base64), for the routes' schema."""
Cursor = Annotated[str | None, Query(max_length=512, pattern=CURSOR_PATTERN)]
"""A list route's ``after`` parameter."""


class CursorCodec:
    """Makes cursors that only this server accepts, and only for the same list.

    A cursor holds a position and a digest of the list's identity (resource,
    tenant, filters), signed with HMAC-SHA256, so forged, altered or foreign
    cursors are refused with a 400 rather than misread.
    """

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, list_id: str, position: int) -> str:
        payload = json.dumps({"p": position, "l": _digest(list_id)}, separators=(",", ":")).encode()
        tag = hmac.new(self._secret, payload, hashlib.sha256).digest()[:_TAG_BYTES]
        return base64.urlsafe_b64encode(tag + payload).rstrip(b"=").decode("ascii")

    def decode(self, list_id: str, cursor: str) -> int:
        """The position in ``cursor``; raises a 400 problem unless it is genuine."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError):
            raise _invalid() from None
        tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[:_TAG_BYTES]
        if len(tag) != _TAG_BYTES or not hmac.compare_digest(tag, expected):
            raise _invalid()
        fields = json.loads(payload)
        if fields.get("l") != _digest(list_id):
            raise _invalid("The cursor belongs to another list; start again without 'after'.")
        position = fields.get("p")
        if not isinstance(position, int) or position < 0:
            raise _invalid()
        return position


def _digest(list_id: str) -> str:
    return hashlib.sha256(list_id.encode()).hexdigest()[:16]


def _invalid(detail: str = "The cursor is not one this server issued.") -> ProblemError:
    return ProblemError(400, "invalid_cursor", detail)
