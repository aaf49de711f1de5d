"""A real SMTP server for the tests (aiosmtpd in a thread) that can be told to refuse or drop messages."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """The aiosmtpd handler: accepts by default; ``script`` says what to do with the next DATA commands.

    Actions: ``"accept"``; a reply such as ``"451 try later"`` or ``"550 no such user"``; ``"drop"`` (close
    the connection before replying, so nothing is accepted); ``"accept-then-drop"`` (accept, then cut the
    connection when the client says QUIT).
    """

    script: list[str] = field(default_factory=list)
    received: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    data_commands: int = 0
    _drop_on_quit: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        action = self.script.pop(0) if self.script else "accept"
        if action == "drop":
            server.transport.abort()
            return "421 closing"
        if action[:1] in ("4", "5"):
            return action
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.raw.append(envelope.content)
        self._drop_on_quit = action == "accept-then-drop"
        return "250 OK queued"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self._drop_on_quit:
            self._drop_on_quit = False
            server.transport.abort()
        return "221 Bye"


class MailServer:
    """A started aiosmtpd server on 127.0.0.1 and its mailbox."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
