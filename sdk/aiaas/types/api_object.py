"""The base of every object the service answers with."""

from __future__ import annotations

from pydantic import BaseModel, PrivateAttr

__all__ = ["APIObject"]


class APIObject(BaseModel):
    """An object parsed from one of the service's answers.

    ``_request_id`` is the id the service gave the request that returned it
    (``X-Request-Id``), to quote when reporting a problem; the name is the one
    openai-python and anthropic-sdk-python use. It is ``None`` for objects not
    received from the service.
    """

    _request_id: str | None = PrivateAttr(default=None)
