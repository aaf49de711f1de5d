"""The request-size limit: a body larger than the `max_request_bytes` setting gets a 413.

Checked from ``Content-Length`` before the app reads anything, and again while a chunked body streams
in, so a client cannot send a large body by leaving the length out. The answer is problem+json.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "The request is too large."


class _TooLarge(Exception):
    pass


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": "Content Too Large", "status": 413, "detail": TOO_LARGE, "limit_bytes": limit}
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestSizeMiddleware:
    """Refuse request bodies above ``limit`` bytes with 413 problem+json."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_413(send, self.limit)
            return
        received = 0
        too_large = answered = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The app may turn the interrupted read into its own error (a 400); answer 413 instead.
            nonlocal answered
            if too_large:
                if not answered:
                    answered = True
                    await _send_413(send, self.limit)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):  # the 413 is sent below
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not answered:
            await _send_413(send, self.limit)


def install(app: Any, limit: int) -> None:
    """Add the limit to ``app`` (inside the security headers, outside everything that reads a body)."""
    app.add_middleware(RequestSizeMiddleware, limit=limit)
