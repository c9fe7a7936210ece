"""Refuse request bodies above a size limit, declared or streamed.

Streamed uploads (a dataset file) have a limit of their own, far above the one
of a call's body: they go to disk as they arrive. A sealed upload does not
stream (it is opened whole), so it keeps the ordinary limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems import problem_response

UPLOAD_SLACK = 1024 * 1024


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int, upload_paths: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_paths = dict(upload_paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = streamed_limit = self.max_bytes
        if scope["method"] == "POST" and b"aiaas-encryption" not in headers:
            upload_limit = self.upload_paths.get(scope["path"])
            if upload_limit is not None:
                # An upload's own reader stops it at its limit, naming the line it
                # reached; this count is the backstop.
                limit, streamed_limit = upload_limit, upload_limit + UPLOAD_SLACK
        detail = f"The body exceeds the limit of {limit} bytes."
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = problem_response(scope, 413, "payload_too_large", detail)
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > streamed_limit:
                    # FastAPI passes HTTPExceptions from body reading through unchanged.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counting_receive, send)
